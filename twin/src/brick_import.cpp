#include <twindesk/twin/brick_import.h>
#include <twindesk/twin/units.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace twindesk::twin {

namespace {

std::string brick(std::string_view local)
{
    return std::string(rdf::kBrick) + std::string(local);
}
std::string td(std::string_view local)
{
    return std::string(rdf::kTwinDesk) + std::string(local);
}

// Predicates that carry relations; each maps to a forward relation and a direction.
struct RelationPredicate
{
    std::string_view local;
    Relation relation;
    bool inverse;
};
constexpr std::array kRelationPredicates{
    RelationPredicate{"hasPart", Relation::HasPart, false},
    RelationPredicate{"isPartOf", Relation::HasPart, true},
    RelationPredicate{"feeds", Relation::Feeds, false},
    RelationPredicate{"isFedBy", Relation::Feeds, true},
    RelationPredicate{"hasPoint", Relation::HasPoint, false},
    RelationPredicate{"isPointOf", Relation::HasPoint, true},
    RelationPredicate{"hasLocation", Relation::HasLocation, false},
    RelationPredicate{"isLocationOf", Relation::HasLocation, true},
};
constexpr std::array kWorkloadPredicates{
    RelationPredicate{"runsOn", Relation::RunsOn, false},
    RelationPredicate{"hosts", Relation::RunsOn, true},
    RelationPredicate{"uses", Relation::Uses, false},
    RelationPredicate{"isUsedBy", Relation::Uses, true},
};

std::optional<RelationPredicate> relationOf(std::string_view predicate)
{
    for (auto ns : {rdf::kBrick, rdf::kBrickFrame}) {
        if (predicate.rfind(ns, 0) != 0)
            continue;
        const auto local = predicate.substr(ns.size());
        for (const auto& r : kRelationPredicates)
            if (r.local == local)
                return r;
    }
    if (predicate.rfind(rdf::kTwinDesk, 0) == 0) {
        const auto local = predicate.substr(rdf::kTwinDesk.size());
        for (const auto& r : kWorkloadPredicates)
            if (r.local == local)
                return r;
    }
    return std::nullopt;
}

// rdf:type objects that describe schema rather than building entities.
bool isSchemaType(std::string_view type)
{
    static const std::array<std::string_view, 14> kSchema{
        "http://www.w3.org/2002/07/owl#Class",
        "http://www.w3.org/2000/01/rdf-schema#Class",
        "http://www.w3.org/2002/07/owl#ObjectProperty",
        "http://www.w3.org/2002/07/owl#DatatypeProperty",
        "http://www.w3.org/2002/07/owl#AnnotationProperty",
        "http://www.w3.org/2002/07/owl#TransitiveProperty",
        "http://www.w3.org/2002/07/owl#SymmetricProperty",
        "http://www.w3.org/2002/07/owl#AsymmetricProperty",
        "http://www.w3.org/2002/07/owl#FunctionalProperty",
        "http://www.w3.org/2002/07/owl#InverseFunctionalProperty",
        "http://www.w3.org/2002/07/owl#Ontology",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
        "http://www.w3.org/ns/shacl#NodeShape",
        "http://www.w3.org/ns/shacl#PropertyShape",
    };
    return std::find(kSchema.begin(), kSchema.end(), type) != kSchema.end();
}

struct PendingRelation
{
    std::string source;
    Relation relation;
    std::string target;
    std::size_t line;
};

struct Node
{
    std::string id;
    NodeType type = NodeType::Iri;
    std::vector<std::string> classes;
    std::string label;
    std::string unitIri;
    std::size_t unitLine = 0;
    std::string value; // brick:value of a property node
    std::string timeseriesId;
    bool schema = false;
    bool inRelation = false;
    // (predicate, object, objectType, line) of the remaining properties
    struct Property
    {
        std::string predicate;
        std::string object;
        NodeType objectType;
        std::size_t line;
    };
    std::vector<Property> properties;
};

std::string formatNumber(double v)
{
    std::array<char, 64> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return ec == std::errc() ? std::string(buf.data(), end) : std::to_string(v);
}

std::optional<double> parseNumber(std::string_view text)
{
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

class Importer
{
public:
    Importer(std::string name, BrickOntology ontology)
        : m_name(std::move(name)), m_ontology(std::move(ontology))
    {
    }

    bool onTriple(const Triple& t)
    {
        // Distinct triples, as an RDF graph counts them.
        std::string key;
        key.reserve(t.subject.size() + t.predicate.size() + t.object.size() + 8);
        key.append(t.subject).append(1, '\x1f').append(t.predicate).append(1, '\x1f');
        key.append(1, static_cast<char>('0' + static_cast<int>(t.objectType))).append(t.object);
        key.append(1, '\x1f').append(t.datatype).append(1, '\x1f').append(t.language);
        if (!m_seen.insert(std::move(key)).second)
            return true;
        ++m_stats.triples;
        m_ontology.addStatement(t); // class declarations inside the model file
        return handle(t);
    }

    Result<ImportResult> finish();

private:
    Node& node(const std::string& id, NodeType type)
    {
        const auto it = m_index.find(id);
        if (it != m_index.end())
            return m_nodes[it->second];
        m_index.emplace(id, m_nodes.size());
        m_nodes.push_back(Node{});
        m_nodes.back().id = id;
        m_nodes.back().type = type;
        return m_nodes.back();
    }

    Node* findNode(const std::string& id)
    {
        const auto it = m_index.find(id);
        return it == m_index.end() ? nullptr : &m_nodes[it->second];
    }

    std::string where(std::size_t line) const { return m_name + ":" + std::to_string(line); }

    bool fail(Error error)
    {
        if (!m_error)
            m_error = std::move(error);
        return false;
    }

    bool handle(const Triple& t);
    Status classify(const Node& n, Entity& e);
    Status applyProperties(const Node& n, Entity& e);
    void warn(std::string text)
    {
        if (m_stats.warnings.size() < 50)
            m_stats.warnings.push_back(std::move(text));
    }

    std::string m_name;
    BrickOntology m_ontology; // a copy: model-file class declarations are added to it
    std::unordered_set<std::string> m_seen;
    std::unordered_map<std::string, std::size_t> m_index; // lookup only
    std::vector<Node> m_nodes;                            // first-appearance order
    std::vector<PendingRelation> m_relations;
    ImportStats m_stats;
    std::optional<Error> m_error;
};

bool Importer::handle(const Triple& t)
{
    if (t.predicate == rdf::kType) {
        if (t.objectType != NodeType::Iri)
            return fail(
                makeError(ErrorCode::ParseError,
                          "rdf:type of '" + t.subject + "' must be a class IRI, not a " +
                              (t.objectType == NodeType::Literal ? "literal" : "blank node"),
                          where(t.line)));
        auto& n = node(t.subject, t.subjectType);
        if (isSchemaType(t.object)) {
            n.schema = true;
            return true;
        }
        if (std::find(n.classes.begin(), n.classes.end(), t.object) == n.classes.end())
            n.classes.push_back(t.object);
        return true;
    }
    if (const auto rel = relationOf(t.predicate)) {
        if (t.objectType == NodeType::Literal)
            return fail(makeError(ErrorCode::DanglingRelation,
                                  "relation " + std::string(localName(t.predicate)) + " of '" +
                                      t.subject + "' points to the literal \"" + t.object +
                                      "\"; a relation must point to an entity IRI",
                                  where(t.line)));
        node(t.subject, t.subjectType).inRelation = true;
        node(t.object, t.objectType).inRelation = true;
        if (rel->inverse)
            m_relations.push_back({t.object, rel->relation, t.subject, t.line});
        else
            m_relations.push_back({t.subject, rel->relation, t.object, t.line});
        return true;
    }
    if (t.predicate == rdf::kRdfsLabel && t.objectType == NodeType::Literal) {
        auto& n = node(t.subject, t.subjectType);
        if (n.label.empty() || t.language.empty() || t.language == "en")
            n.label = t.object;
        return true;
    }
    if (t.predicate == brick("hasUnit")) {
        auto& n = node(t.subject, t.subjectType);
        n.unitIri = t.object;
        n.unitLine = t.line;
        return true;
    }
    if (t.predicate == brick("value") && t.objectType == NodeType::Literal) {
        node(t.subject, t.subjectType).value = t.object;
        return true;
    }
    if (t.predicate == brick("hasTimeseriesId") && t.objectType == NodeType::Literal) {
        node(t.subject, t.subjectType).timeseriesId = t.object;
        return true;
    }
    if (t.predicate.rfind("http://www.w3.org/2000/01/rdf-schema#", 0) == 0 ||
        t.predicate.rfind("http://www.w3.org/2002/07/owl#", 0) == 0) {
        ++m_stats.ignoredStatements; // schema statements: handled by the ontology copy
        return true;
    }
    node(t.subject, t.subjectType)
        .properties.push_back({t.predicate, t.object, t.objectType, t.line});
    return true;
}

Status Importer::classify(const Node& n, Entity& e)
{
    e.classes = n.classes;
    std::sort(e.classes.begin(), e.classes.end());

    struct Category
    {
        std::uint32_t bit;
        std::string iri;
    };
    static const std::vector<Category> kCategories{
        {kCatSite, brick("Site")},
        {kCatBuilding, brick("Building")},
        {kCatFloor, brick("Floor")},
        {kCatSpace, brick("Space")},
        {kCatHvacZone, brick("HVAC_Zone")},
        {kCatAhu, brick("AHU")},
        {kCatVav, brick("VAV")},
        {kCatEquipment, brick("Equipment")},
        {kCatPoint, brick("Point")},
        {kCatSensor, brick("Sensor")},
        {kCatSetpoint, brick("Setpoint")},
        {kCatCommand, brick("Command")},
        {kCatStatus, brick("Status")},
        {kCatComputeHost, td("Compute_Host")},
        {kCatVm, td("Workload")},
    };
    bool anyKnown = false;
    for (const auto& c : e.classes) {
        if (!m_ontology.knows(c))
            continue;
        anyKnown = true;
        for (const auto& cat : kCategories)
            if (m_ontology.isA(c, cat.iri))
                e.categories |= cat.bit;
    }
    if (!e.classes.empty() && !anyKnown) {
        e.categories |= kCatUnknownTyped;
        ++m_stats.unknownTyped;
    }

    auto any = [&](const std::string& target) {
        return std::any_of(e.classes.begin(), e.classes.end(),
                           [&](const std::string& c) { return m_ontology.isA(c, target); });
    };

    if ((e.categories & kCatPoint) != 0U) {
        e.kind = EntityKind::Point;
        PointInfo info;
        static const std::vector<std::pair<PointType, std::string>> kPointTypes{
            {PointType::Sensor, brick("Sensor")},   {PointType::Setpoint, brick("Setpoint")},
            {PointType::Command, brick("Command")}, {PointType::StatusPoint, brick("Status")},
            {PointType::Alarm, brick("Alarm")},     {PointType::Parameter, brick("Parameter")},
        };
        info.type = PointType::Other;
        for (const auto& [type, iri] : kPointTypes)
            if (any(iri)) {
                info.type = type;
                break;
            }
        // Quantity: the class's brick:hasQuantity if declared, else the class name.
        for (const auto& c : e.classes) {
            if (auto q = m_ontology.quantityOf(c)) {
                info.quantity = quantityFromBrickName(localName(*q));
                if (info.quantity != Quantity::Unknown)
                    break;
            }
        }
        if (info.quantity == Quantity::Unknown)
            for (const auto& c : e.classes)
                if ((info.quantity = quantityFromBrickName(localName(c))) != Quantity::Unknown)
                    break;
        if (!n.unitIri.empty()) {
            auto unit = findUnit(n.unitIri);
            if (!unit)
                return makeError(ErrorCode::UnknownUnit,
                                 "point '" + n.id + "' has unit <" + n.unitIri +
                                     "> which TwinDesk does not know; use a unit from "
                                     "`twindesk units` (docs/units.md) or fix the model (" +
                                     unit.error().message + ")",
                                 where(n.unitLine));
            if (info.quantity != Quantity::Unknown && (*unit)->quantity != info.quantity &&
                !(info.quantity == Quantity::Ratio || (*unit)->quantity == Quantity::Ratio))
                warn(where(n.unitLine) + ": point '" + n.id + "' states unit " +
                     std::string((*unit)->symbol) + " (" +
                     std::string(quantityName((*unit)->quantity)) + ") but its class suggests " +
                     std::string(quantityName(info.quantity)) + "; the stated unit wins");
            info.quantity = (*unit)->quantity;
            info.unit = std::string((*unit)->symbol);
            info.unitExplicit = true;
        } else {
            info.unit = std::string(displayUnit(info.quantity).symbol);
        }
        info.timeseriesId = n.timeseriesId;
        e.point = std::move(info);
        return {};
    }
    if ((e.categories & kCatVm) != 0U) {
        e.kind = EntityKind::Workload;
        // The runtime kind (docs/runtimes.md); an entity typed only td:Workload is a full VM.
        e.workloadType = any(td("MicroVM"))              ? WorkloadType::MicroVm
                         : any(td("WasmModule"))         ? WorkloadType::WasmModule
                         : any(td("SandboxedContainer")) ? WorkloadType::SandboxedContainer
                         : any(td("Container"))          ? WorkloadType::Container
                                                         : WorkloadType::VirtualMachine;
        return {};
    }
    if ((e.categories & kCatSite) != 0U) {
        e.kind = EntityKind::Site;
    } else if ((e.categories & kCatBuilding) != 0U) {
        e.kind = EntityKind::Building;
    } else if ((e.categories & kCatFloor) != 0U || any(brick("Storey"))) {
        e.kind = EntityKind::Floor;
    } else if ((e.categories & kCatHvacZone) != 0U || any(brick("Zone"))) {
        e.kind = EntityKind::Zone;
    } else if ((e.categories & kCatSpace) != 0U) {
        e.kind = EntityKind::Room;
    } else if ((e.categories & kCatEquipment) != 0U) {
        e.kind = EntityKind::Equipment;
        static const std::vector<std::pair<EquipmentType, std::string>> kEquipment{
            {EquipmentType::ComputeHost, td("Compute_Host")},
            {EquipmentType::Rack, td("Rack")},
            {EquipmentType::Network, td("Network_Switch")},
            {EquipmentType::Ahu, brick("AHU")},
            {EquipmentType::Vav, brick("VAV")},
            {EquipmentType::Fcu, brick("Fan_Coil_Unit")},
            {EquipmentType::Crac, brick("Computer_Room_Air_Conditioning")},
            {EquipmentType::Crac, brick("Computer_Room_Air_Handler")},
            {EquipmentType::Chiller, brick("Chiller")},
            {EquipmentType::Boiler, brick("Boiler")},
            {EquipmentType::Fan, brick("Fan")},
            {EquipmentType::Pump, brick("Pump")},
            {EquipmentType::Lighting, brick("Lighting_Equipment")},
            {EquipmentType::AudioVisual, brick("Audio_Visual_Equipment")},
            {EquipmentType::Meter, brick("Meter")},
            {EquipmentType::Network, brick("ICT_Equipment")},
        };
        e.equipmentType = EquipmentType::Other;
        for (const auto& [type, iri] : kEquipment)
            if (any(iri)) {
                e.equipmentType = type;
                break;
            }
    } else {
        e.kind = EntityKind::Other;
    }

    if (e.kind == EntityKind::Room || e.kind == EntityKind::Zone) {
        static const std::vector<std::pair<ZoneUse, std::string>> kUses{
            {ZoneUse::Conference, brick("Conference_Room")},
            {ZoneUse::ServerRoom, brick("Server_Room")},
            {ZoneUse::ServerRoom, brick("Telecom_Room")},
            {ZoneUse::Corridor, brick("Hallway")},
            {ZoneUse::Corridor, brick("Corridor")},
            {ZoneUse::Restroom, brick("Restroom")},
            {ZoneUse::Kitchen, brick("Office_Kitchen")},
            {ZoneUse::Kitchen, brick("Break_Room")},
            {ZoneUse::Storage, brick("Storage_Room")},
            {ZoneUse::Lobby, brick("Lobby")},
            {ZoneUse::Plant, brick("Mechanical_Room")},
            {ZoneUse::Plant, brick("Electrical_Room")},
            {ZoneUse::Office, brick("Office")},
            {ZoneUse::Office, brick("Open_Office")},
            {ZoneUse::Office, brick("Enclosed_Office")},
        };
        for (const auto& [use, iri] : kUses)
            if (any(iri)) {
                e.use = use;
                break;
            }
    }
    return {};
}

Status Importer::applyProperties(const Node& n, Entity& e)
{
    for (const auto& p : n.properties) {
        const std::string key(localName(p.predicate));
        if (p.objectType == NodeType::Literal) {
            if (p.predicate == td("usage")) {
                if (const auto use = parseZoneUse(p.object)) {
                    e.use = *use;
                } else {
                    return makeError(
                        ErrorCode::ParseError,
                        "td:usage \"" + p.object + "\" of '" + n.id +
                            "' is not one of office, conference, server_room, "
                            "corridor, restroom, kitchen, storage, lobby, plant, other",
                        where(p.line));
                }
            }
            e.setAttribute(key, p.object);
            continue;
        }
        if (p.objectType == NodeType::Blank) {
            // A Brick entity property: [ brick:value "…" ; brick:hasUnit unit:… ].
            const Node* value = findNode(p.object);
            if (value == nullptr || value->value.empty())
                continue;
            std::string text = value->value;
            std::string unitSymbol;
            if (!value->unitIri.empty()) {
                auto unit = findUnit(value->unitIri);
                if (!unit)
                    return makeError(ErrorCode::UnknownUnit,
                                     "property " + key + " of '" + n.id + "' has unit <" +
                                         value->unitIri + "> which TwinDesk does not know (" +
                                         unit.error().message + ")",
                                     where(value->unitLine));
                unitSymbol = std::string((*unit)->symbol);
                // Areas and volumes are stored in SI so the simulator never converts.
                const auto wanted = key == "area"     ? Quantity::Area
                                    : key == "volume" ? Quantity::Volume
                                                      : Quantity::Unknown;
                if (wanted != Quantity::Unknown) {
                    // Error paths that return: each message is built once, not per iteration.
                    // NOLINTBEGIN(performance-inefficient-string-concatenation)
                    if ((*unit)->quantity != wanted)
                        return makeError(ErrorCode::UnitMismatch,
                                         key + " of '" + n.id + "' is given in " + unitSymbol +
                                             ", which is not a unit of " +
                                             std::string(quantityName(wanted)),
                                         where(value->unitLine));
                    const auto number = parseNumber(text);
                    if (!number)
                        return makeError(ErrorCode::ParseError,
                                         key + " of '" + n.id + "' is \"" + text +
                                             "\", not a finite number",
                                         where(p.line));
                    // NOLINTEND(performance-inefficient-string-concatenation)
                    text = formatNumber(toSi(*number, **unit));
                    unitSymbol = std::string(siUnit(wanted).symbol);
                }
            }
            e.setAttribute(key, std::move(text), std::move(unitSymbol));
            continue;
        }
        // IRI-valued annotations (brick:hasTag, ...): kept, multiple values space-separated.
        if (const auto* existing = e.attribute(key))
            e.setAttribute(key, existing->value + " " + p.object);
        else
            e.setAttribute(key, p.object);
    }
    return {};
}

Result<ImportResult> Importer::finish()
{
    if (m_error)
        return *m_error;
    ImportResult result;
    for (const auto& n : m_nodes) {
        if (n.schema && n.classes.empty())
            continue;
        const bool typed = !n.classes.empty();
        if (!typed && !n.inRelation) {
            if (n.type == NodeType::Iri && !n.properties.empty())
                ++m_stats.ignoredStatements;
            continue; // value nodes ([ brick:value … ]) and stray subjects
        }
        Entity e;
        e.id = n.id;
        e.name = !n.label.empty()            ? n.label
                 : n.type == NodeType::Blank ? n.id
                                             : std::string(localName(n.id));
        if (typed) {
            ++m_stats.typedEntities;
        } else {
            ++m_stats.untypedEntities;
            if (m_stats.untypedEntities <= 5)
                warn(m_name + ": '" + n.id +
                     "' is used in relations but has no rdf:type; kept as an untyped entity");
        }
        if (auto s = classify(n, e); !s)
            return s.error();
        if (auto s = applyProperties(n, e); !s)
            return s.error();
        if (auto added = result.graph.addEntity(std::move(e)); !added)
            return added.error();
    }
    for (const auto& r : m_relations) {
        auto s = result.graph.addRelation(r.source, r.relation, r.target);
        if (!s) {
            auto error = s.error();
            error.where = where(r.line);
            return error;
        }
    }
    if (m_stats.untypedEntities > 5)
        warn(m_name + ": " + std::to_string(m_stats.untypedEntities) +
             " entities in all are used in relations without an rdf:type");
    result.stats = std::move(m_stats);
    return result;
}

} // namespace

Result<ImportResult> importBrick(const std::filesystem::path& modelFile,
                                 const BrickOntology& ontology)
{
    Importer importer(modelFile.string(), ontology);
    auto status =
        readTurtleFile(modelFile, [&importer](const Triple& t) { return importer.onTriple(t); });
    auto result = importer.finish();
    if (!status) {
        // A semantic error stops Serd through the sink; report that error, not "stopped".
        if (!result)
            return result.error();
        return status.error();
    }
    return result;
}

Result<ImportResult> importBrickString(std::string_view turtle, std::string_view name,
                                       const BrickOntology& ontology)
{
    Importer importer{std::string(name), ontology};
    auto status = readTurtleString(turtle, name,
                                   [&importer](const Triple& t) { return importer.onTriple(t); });
    auto result = importer.finish();
    if (!status) {
        if (!result)
            return result.error();
        return status.error();
    }
    return result;
}

} // namespace twindesk::twin
