#pragma once
/// \file gui_main.h
/// Starts the Qt Quick console: `twindesk [PROJECT.twin] [--screenshot FILE] [--quit-after MS]`.
/// Without a project the bundled demo office is imported into a temporary project first.
/// --screenshot grabs the window after it has rendered (for docs and UI tests) and quits; with
/// --whatif BASE.json [--whatif-common KEY=JSON]... [--whatif-set KEY=JSON]... --whatif-run it
/// waits until the what-if view's two runs are over.

namespace twindesk::app {
int runGui(int argc, char** argv);
}
