# Install rules and the Debian package (CPack), included from the top-level
# CMakeLists.txt. `bash scripts/package.sh` builds the .deb; tests/test_package.sh
# checks it. Installed layout (prefix /usr in the package):
#   bin/xbt, bin/xbt-workbench
#   share/xbt-workbench/samples/      sample models and recipes, found at run time
#                                     relative to the executable (core/util/InstallPaths.h)
#   share/applications/xbt-workbench.desktop
#   share/icons/hicolor/<size>/apps/xbt-workbench.{png,svg}
#   share/metainfo/io.github.xbt_workbench.metainfo.xml
#   share/doc/xbt-workbench/          README, the user guide and the copyright file (MIT, see LICENSE)

include(GNUInstallDirs)

set(XBT_PACKAGE_NAME xbt-workbench)
set(XBT_APPSTREAM_ID io.github.xbt_workbench)

# --- install rules -------------------------------------------------------

install(TARGETS xbt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The whole samples/ folder: sample-old/ and sample-new/ (weights, vocabulary,
# settings), their training recipes and the manifest. InstallPaths looks for it
# at <bin>/../share/xbt-workbench/samples, so the two destinations must agree.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/samples/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/${XBT_PACKAGE_NAME}/samples)

# README links into docs/ and the guide into docs/images/: keep that shape.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian's machine-readable form of LICENSE (the two must agree: test_package checks).
install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(TARGET xbt-workbench)
  install(TARGETS xbt-workbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/xbt-workbench.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/${XBT_APPSTREAM_ID}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  # The icons are drawn by resources/icons/make_icons.py and committed.
  foreach(size 16 32 48 64 128 256)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/xbt-workbench-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
            RENAME xbt-workbench.png)
  endforeach()
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/xbt-workbench.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

# The metainfo's newest <release> is what software centres show as the
# version: refuse to configure when it and project() disagree.
file(READ ${CMAKE_CURRENT_LIST_DIR}/${XBT_APPSTREAM_ID}.metainfo.xml xbt_metainfo)
string(REGEX MATCH "<release version=\"([^\"]*)\"" _ "${xbt_metainfo}")
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "packaging/${XBT_APPSTREAM_ID}.metainfo.xml: the first <release> is "
                      "'${CMAKE_MATCH_1}' but the project version is ${PROJECT_VERSION}; add a <release> "
                      "for ${PROJECT_VERSION} at the top of <releases>")
endif()

# --- the Debian package --------------------------------------------------

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${XBT_PACKAGE_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "upgrade an image-text retrieval model without re-embedding the gallery")
set(CPACK_PACKAGE_DESCRIPTION
    "XBT Workbench indexes an image folder with an old CLIP-like model, trains a
compatibility adapter that maps a new model's embeddings into the old space
(cross-modal backward-compatible training), and shows with recall curves and
side-by-side results how close the old gallery gets to a full re-index.
Ships the xbt command-line tool, the xbt-workbench desktop application and
two small sample models; runs offline on the CPU.")
# The copyright holder of LICENSE and packaging/copyright maintains the package.
set(XBT_PACKAGE_MAINTAINER "The XBT Workbench authors <xbt-workbench@users.noreply.github.com>")
set(CPACK_PACKAGE_CONTACT "${XBT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${XBT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # xbt-workbench_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The build is RelWithDebInfo (~130 MB per executable); the package ships
# stripped binaries (~5x smaller download).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Depends comes from dpkg-shlibdeps: the runtime library packages that own
# what the binaries link (libtorch1.13, libqt6*6, libopencv-*406, libssl3 for
# libcrypto's SHA-256, libopenblas0 for the evaluation's cblas, ...), never the
# -dev packages the build used. FAISS is a static library on Debian, and Imath
# is used from its headers only, so neither needs a package.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libopenblas0 is satisfied by any OpenBLAS flavour; recommend the pthread one
# scripts/setup.sh uses. LibTorch calls the generic libblas.so.3, ~35x slower
# when that resolves to the reference BLAS. The Qt image plugins let Explore
# preview WebP and TIFF image queries (the engine itself decodes with OpenCV).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-pthread, qt6-image-formats-plugins")
# `package_source` (not used by scripts/package.sh) must not sweep up build trees.
set(CPACK_SOURCE_GENERATOR TXZ)
set(CPACK_SOURCE_IGNORE_FILES "/[.]git/" "/build[^/]*/" "/out/" "__pycache__")
include(CPack)
