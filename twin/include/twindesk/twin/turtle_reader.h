#pragma once
/// \file turtle_reader.h
/// A thin, line-aware wrapper over libserd's Turtle reader.
///
/// Serd does the parsing (strict mode); this wrapper expands CURIEs and relative IRIs to
/// absolute IRIs, hands each statement to a callback as owned strings, and reports where each
/// statement ended (line, 1-based) so later stages can point a user at the offending line.
/// Errors name the file, line and column and carry Serd's own message.

#include <twindesk/twin/result.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace twindesk::twin {

enum class NodeType : std::uint8_t { Iri, Blank, Literal };

/// One RDF statement with absolute IRIs. Blank nodes are written "_:label" (labels are unique
/// within one read). Literals keep their lexical form plus datatype IRI or language tag.
struct Triple
{
    std::string subject;
    std::string predicate;
    std::string object;
    NodeType subjectType = NodeType::Iri;
    NodeType objectType = NodeType::Iri;
    std::string datatype; ///< literal datatype IRI (empty for plain strings)
    std::string language; ///< literal language tag (empty when none)
    std::size_t line = 0; ///< line of the input where Serd finished reading the statement
};

/// Called once per statement; return false to stop reading (the read then fails with the
/// error set by the callback through `TurtleReader::fail`, or a generic "stopped" error).
using TripleSink = std::function<bool(const Triple&)>;

namespace rdf {
inline constexpr std::string_view kType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
inline constexpr std::string_view kRdfsSubClassOf =
    "http://www.w3.org/2000/01/rdf-schema#subClassOf";
inline constexpr std::string_view kRdfsLabel = "http://www.w3.org/2000/01/rdf-schema#label";
inline constexpr std::string_view kRdfsClass = "http://www.w3.org/2000/01/rdf-schema#Class";
inline constexpr std::string_view kOwlClass = "http://www.w3.org/2002/07/owl#Class";
inline constexpr std::string_view kOwlEquivalentClass =
    "http://www.w3.org/2002/07/owl#equivalentClass";
inline constexpr std::string_view kBrick = "https://brickschema.org/schema/Brick#";
inline constexpr std::string_view kBrickFrame = "https://brickschema.org/schema/1.0.2/BrickFrame#";
inline constexpr std::string_view kTwinDesk = "https://twindesk.dev/schema#";
inline constexpr std::string_view kQudtUnit = "http://qudt.org/vocab/unit/";
} // namespace rdf

/// Reads a Turtle file, calling `sink` for every statement.
/// Errors: NotFound / IoError for an unreadable file; ParseError "FILE:LINE:COL: <serd message>"
/// for malformed Turtle (strict mode: undefined prefixes, bad IRIs, ... all fail).
Status readTurtleFile(const std::filesystem::path& file, const TripleSink& sink);

/// Reads Turtle from memory; `name` is used in error messages and as the base IRI's file name.
Status readTurtleString(std::string_view text, std::string_view name, const TripleSink& sink);

} // namespace twindesk::twin
