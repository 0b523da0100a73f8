#pragma once
// A workspace's demo queries: a plain text file, one query per line, that
// demo mode steps through (upgrade.json's demo_queries names it). People edit
// it by hand and in the workbench, so the format stays forgiving: blank lines
// and lines starting with '#' are skipped, surrounding spaces and CR dropped.

#include <string>
#include <vector>

namespace xbt {

struct UpgradeProfile;

std::vector<std::string> parseDemoQueries(const std::string& text);

// The demo list file of a workspace: upgrade.json's demo_queries, or the
// default name when the profile names none.
std::string demoQueriesFile(const std::string& workspaceDir, const UpgradeProfile& profile);

// The file's text; empty when it does not exist yet (a new list). Throws
// xbt::Error naming the file when it exists but cannot be read.
std::string readDemoQueriesText(const std::string& path);

// Saves the list atomically (readers never see half a file). When the
// workspace's upgrade.json names no list yet, it is pointed at the saved
// file, so the list is found again next time. A list that upgrade.json puts
// outside the workspace is read but never written: the workbench writes only
// inside the workspace. Throws xbt::Error naming what could not be written.
void saveDemoQueries(const std::string& workspaceDir, const std::string& text);

}  // namespace xbt
