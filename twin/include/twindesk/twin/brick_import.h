#pragma once
/// \file brick_import.h
/// Brick (Turtle) → TwinGraph.
///
/// Parsing is libserd's (strict). Classification uses a BrickOntology: every typed entity is
/// mapped to a twin kind by the first of its types' superclasses that TwinDesk understands;
/// entities whose types the ontology does not know are kept as EntityKind::Other with their
/// class IRIs (never dropped), and so are untyped IRIs that appear in relations.
///
/// Relations are read in both directions and folded: `A isPartOf B` is stored as
/// `B hasPart A`. Points get a quantity (from brick:hasQuantity of their class, else from the
/// class name) and a unit (brick:hasUnit if stated, which must be a unit TwinDesk knows;
/// otherwise the quantity's display unit, flagged as not explicit).
///
/// The import is all-or-nothing: any error returns no graph.

#include <twindesk/twin/brick_ontology.h>
#include <twindesk/twin/result.h>
#include <twindesk/twin/twin_graph.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace twindesk::twin {

struct ImportStats
{
    std::size_t triples = 0;           ///< distinct triples in the model file
    std::size_t typedEntities = 0;     ///< entities with at least one rdf:type
    std::size_t untypedEntities = 0;   ///< IRIs used in relations but never typed (kept)
    std::size_t unknownTyped = 0;      ///< typed, but none of the types known to the ontology
    std::size_t ignoredStatements = 0; ///< statements that carry nothing the twin models
    std::vector<std::string> warnings; ///< capped; human-readable, with file:line
};

struct ImportResult
{
    TwinGraph graph;
    ImportStats stats;
};

/// Imports a Brick Turtle model. The ontology must already contain Brick (and the TwinDesk
/// extension for compute hosts/VMs); class declarations found in the model file are added to
/// a copy of it for this import.
Result<ImportResult> importBrick(const std::filesystem::path& modelFile,
                                 const BrickOntology& ontology);

/// Same, from a string (tests, clipboard import). `name` appears in error messages.
Result<ImportResult> importBrickString(std::string_view turtle, std::string_view name,
                                       const BrickOntology& ontology);

} // namespace twindesk::twin
