#pragma once
/// \file assets.h
/// Locating TwinDesk's run-time assets (demo building, ontology, scenarios, models).
///
/// Search order: $TWINDESK_ASSETS_DIR; `<exe dir>/../share/twindesk/assets` (installed, e.g.
/// /usr/share/twindesk/assets from the .deb); the source tree's assets/, but only for an
/// executable that runs from the build tree (runningFromBuildTree()), so an installed or
/// relocated binary never silently reads a source checkout that happens to exist. The first
/// that holds `ontology/twindesk.ttl` wins.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace twindesk::app {

std::optional<std::filesystem::path> assetsDir();

/// True when the running executable lies inside the CMake build tree it was built in
/// (development and tests), false once installed or unpacked elsewhere.
bool runningFromBuildTree();

/// The error text when assetsDir() finds nothing: the places it looked and what to do.
std::string assetsNotFoundMessage();

/// The bundled ontology files: Brick 1.3's class hierarchy and TwinDesk's extension.
std::vector<std::filesystem::path> bundledOntology(const std::filesystem::path& assets);

} // namespace twindesk::app
