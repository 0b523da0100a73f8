#pragma once
// Where the program finds the data it ships (sample models, recipes, demo
// queries): relative to its install prefix, or the checkout for a build that
// runs from its build tree. Never the current working directory.

#include <string>
#include <vector>

namespace xbt {

// The folder holding the bundled samples (sample-old/, sample-new/, recipes).
// Order: $XBT_SAMPLES_DIR; <prefix>/share/xbt-workbench/samples where <prefix>
// is the executable's folder's parent; the source checkout's samples/, only
// for an executable inside the build tree it was built in (an installed copy
// never reaches back into the checkout, even when that still exists).
// Throws xbt::Error listing the places looked when none exists.
std::string samplesDirectory();
std::vector<std::string> samplesDirectoryCandidates();
// The running executable's absolute path ("" when unknown).
std::string executablePath();

}  // namespace xbt
