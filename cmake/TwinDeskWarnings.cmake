# One INTERFACE target carries the project's warning flags; every target links it PRIVATE.
add_library(twindesk_warnings INTERFACE)
add_library(twindesk::warnings ALIAS twindesk_warnings)
target_compile_options(twindesk_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    $<$<BOOL:${TWINDESK_WERROR}>:-Werror>)
option(TWINDESK_WERROR "Treat warnings as errors" OFF)
