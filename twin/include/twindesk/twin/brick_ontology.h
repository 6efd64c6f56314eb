#pragma once
/// \file brick_ontology.h
/// The class hierarchy of Brick (plus TwinDesk's extension), for classifying imported entities.
///
/// Holds classes, `rdfs:subClassOf` and `owl:equivalentClass` edges, labels and
/// `brick:hasQuantity`. `isA(c, target)` is true when `target` is reachable from `c` through
/// subclass edges (upwards) and equivalences (both ways), including `c == target`: the
/// semantics of the `rdf:type/rdfs:subClassOf*` query, with equivalent classes merged.
/// Closures are memoised; a loaded ontology is immutable apart from that cache, and is not
/// safe to query from several threads at once.

#include <twindesk/twin/result.h>
#include <twindesk/twin/turtle_reader.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace twindesk::twin {

class BrickOntology
{
public:
    using ClassId = std::uint32_t;

    /// Loads and merges Turtle ontology files (e.g. Brick.ttl + twindesk.ttl).
    /// Errors: NotFound naming the missing file (and suggesting --ontology), ParseError.
    static Result<BrickOntology> load(const std::vector<std::filesystem::path>& files);

    /// Feeds one statement; only class-level statements are kept. Returns true if it was one.
    /// Used by load() and by the importer for class declarations inside a model file.
    bool addStatement(const Triple& triple);

    /// True when the ontology declares the class (owl:Class/rdfs:Class, or as the subject of
    /// a subClassOf/equivalentClass statement).
    [[nodiscard]] bool knows(std::string_view classIri) const;
    [[nodiscard]] bool isA(std::string_view classIri, std::string_view targetIri) const;
    /// Every class reachable from classIri (itself included), sorted by IRI.
    [[nodiscard]] std::vector<std::string> superClasses(std::string_view classIri) const;
    /// The quantity a point class measures (brick:hasQuantity, inherited), e.g.
    /// ".../Brick#Temperature".
    [[nodiscard]] std::optional<std::string> quantityOf(std::string_view classIri) const;
    [[nodiscard]] std::optional<std::string> label(std::string_view classIri) const;

    [[nodiscard]] std::size_t classCount() const { return m_knownCount; }
    [[nodiscard]] std::size_t subclassEdgeCount() const;

    /// Writes the class-level content (declarations, subclass and equivalence edges, labels,
    /// quantities) as Turtle: a compact ontology to bundle with the application.
    Status writeClassSubset(const std::filesystem::path& file) const;

private:
    ClassId intern(std::string_view iri);
    [[nodiscard]] std::optional<ClassId> idOf(std::string_view iri) const;
    const std::vector<ClassId>& closure(ClassId id) const;

    std::vector<std::string> m_iris;
    std::unordered_map<std::string, ClassId> m_ids;  // lookup only, never iterated for output
    std::vector<bool> m_known;                       // by ClassId
    std::vector<std::vector<ClassId>> m_parents;     // subClassOf edges
    std::vector<std::vector<ClassId>> m_equivalents; // equivalentClass, both directions
    std::vector<std::string> m_labels;
    std::vector<std::string> m_quantities;                // brick:hasQuantity IRI per class
    mutable std::vector<std::vector<ClassId>> m_closures; // memo, sorted ids
    mutable std::vector<bool> m_closureDone;
    std::size_t m_knownCount = 0;
};

} // namespace twindesk::twin
