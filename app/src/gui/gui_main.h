#pragma once
/// \file gui_main.h
/// Starts the Qt Quick console: `twindesk [PROJECT.twin] [--screenshot FILE] [--quit-after MS]`.
/// Without a project the bundled demo office is imported into a temporary project first.
/// --screenshot grabs the window after it has rendered (for docs and UI tests) and quits.

namespace twindesk::app {
int runGui(int argc, char** argv);
}
