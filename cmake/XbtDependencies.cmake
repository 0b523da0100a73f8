# Finds the engine's dependencies. Order matters: OpenMP before FAISS (Debian's
# faiss-config.cmake expects the OpenMP target to exist).

find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED)
# The evaluation's score matrices are one sgemm each (cblas.h, the active libblas).
find_package(BLAS REQUIRED)
find_package(Torch REQUIRED)
find_package(faiss REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(SQLite3 REQUIRED)
# SHA-256 (fingerprints, content hashes): OpenSSL's libcrypto.
find_package(OpenSSL 1.1 REQUIRED COMPONENTS Crypto)
# Half-precision conversion: Imath's inline functions, headers only (nothing linked).
find_path(XBT_IMATH_INCLUDE_DIR Imath/half.h REQUIRED)

# OpenCV: Debian splits it into per-module -dev packages that do not ship the
# CMake config (only the libopencv-dev meta package does, and it drags in VTK).
# Take the config when present, else find the three modules we use by hand.
find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs)
if(OpenCV_FOUND)
  add_library(xbt_opencv INTERFACE)
  target_include_directories(xbt_opencv SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
  target_link_libraries(xbt_opencv INTERFACE ${OpenCV_LIBS})
else()
  find_path(XBT_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
  add_library(xbt_opencv INTERFACE)
  target_include_directories(xbt_opencv SYSTEM INTERFACE ${XBT_OPENCV_INCLUDE_DIR})
  foreach(module core imgproc imgcodecs)
    find_library(XBT_OPENCV_${module}_LIBRARY opencv_${module} REQUIRED)
    target_link_libraries(xbt_opencv INTERFACE ${XBT_OPENCV_${module}_LIBRARY})
  endforeach()
endif()

set(XBT_HAVE_QT OFF)
if(XBT_BUILD_GUI)
  find_package(Qt6 6.2 COMPONENTS Core Gui Widgets Charts Test Concurrent)
  if(Qt6_FOUND)
    set(XBT_HAVE_QT ON)
    set(CMAKE_AUTOMOC ON)
  else()
    message(WARNING "Qt 6 (Widgets, Charts, Test) not found: building the engine and CLI only. "
                    "Install it with scripts/setup.sh, or pass -DXBT_BUILD_GUI=OFF to silence this.")
  endif()
endif()
message(STATUS "xbt: Qt GUI ${XBT_HAVE_QT}; LibTorch ${Torch_VERSION}; CUDA ${TORCH_CUDA_LIBRARIES}")
