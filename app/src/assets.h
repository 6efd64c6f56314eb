#pragma once
/// \file assets.h
/// Locating TwinDesk's run-time assets (demo building, ontology, scenarios, models).
///
/// Search order: $TWINDESK_ASSETS_DIR; `<exe dir>/../share/twindesk/assets` (installed);
/// the source tree's assets/ (development builds). The first that holds
/// `ontology/twindesk.ttl` wins.

#include <filesystem>
#include <optional>
#include <vector>

namespace twindesk::app {

std::optional<std::filesystem::path> assetsDir();

/// The bundled ontology files: Brick 1.3's class hierarchy and TwinDesk's extension.
std::vector<std::filesystem::path> bundledOntology(const std::filesystem::path& assets);

} // namespace twindesk::app
