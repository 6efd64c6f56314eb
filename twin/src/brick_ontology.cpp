#include <twindesk/twin/brick_ontology.h>

#include <algorithm>
#include <deque>
#include <fstream>

namespace twindesk::twin {

namespace {
constexpr std::string_view kHasQuantity = "https://brickschema.org/schema/Brick#hasQuantity";

std::string escapeLiteral(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}
} // namespace

Result<BrickOntology> BrickOntology::load(const std::vector<std::filesystem::path>& files)
{
    BrickOntology ontology;
    for (const auto& file : files) {
        std::error_code ec;
        if (!std::filesystem::exists(file, ec))
            return makeError(ErrorCode::NotFound,
                             "ontology file not found; pass a Brick ontology with --ontology "
                             "(e.g. ../shared/anchors/brick/Brick-1.3.ttl) or reinstall the "
                             "bundled assets",
                             file.string());
        auto status = readTurtleFile(file, [&ontology](const Triple& t) {
            ontology.addStatement(t);
            return true;
        });
        if (!status)
            return status.error();
    }
    return ontology;
}

BrickOntology::ClassId BrickOntology::intern(std::string_view iri)
{
    const auto it = m_ids.find(std::string(iri));
    if (it != m_ids.end())
        return it->second;
    const auto id = static_cast<ClassId>(m_iris.size());
    m_iris.emplace_back(iri);
    m_ids.emplace(std::string(iri), id);
    m_known.push_back(false);
    m_parents.emplace_back();
    m_equivalents.emplace_back();
    m_labels.emplace_back();
    m_quantities.emplace_back();
    m_closures.emplace_back();
    m_closureDone.push_back(false);
    return id;
}

std::optional<BrickOntology::ClassId> BrickOntology::idOf(std::string_view iri) const
{
    const auto it = m_ids.find(std::string(iri));
    if (it == m_ids.end())
        return std::nullopt;
    return it->second;
}

bool BrickOntology::addStatement(const Triple& t)
{
    if (t.subjectType != NodeType::Iri)
        return false; // restrictions and SHACL shapes are blank nodes: not class structure
    auto markKnown = [this](ClassId id) {
        if (!m_known[id]) {
            m_known[id] = true;
            ++m_knownCount;
        }
    };
    auto invalidate = [this] { std::fill(m_closureDone.begin(), m_closureDone.end(), false); };

    if (t.predicate == rdf::kType && t.objectType == NodeType::Iri &&
        (t.object == rdf::kOwlClass || t.object == rdf::kRdfsClass)) {
        markKnown(intern(t.subject));
        return true;
    }
    if (t.predicate == rdf::kRdfsSubClassOf && t.objectType == NodeType::Iri) {
        const auto child = intern(t.subject);
        const auto parent = intern(t.object);
        markKnown(child);
        auto& parents = m_parents[child];
        if (std::find(parents.begin(), parents.end(), parent) == parents.end())
            parents.push_back(parent);
        invalidate();
        return true;
    }
    if (t.predicate == rdf::kOwlEquivalentClass && t.objectType == NodeType::Iri) {
        const auto a = intern(t.subject);
        const auto b = intern(t.object);
        markKnown(a);
        for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
            auto& eq = m_equivalents[x];
            if (std::find(eq.begin(), eq.end(), y) == eq.end())
                eq.push_back(y);
        }
        invalidate();
        return true;
    }
    if (t.predicate == rdf::kRdfsLabel && t.objectType == NodeType::Literal) {
        if (const auto id = idOf(t.subject); id && (t.language.empty() || t.language == "en")) {
            m_labels[*id] = t.object;
            return true;
        }
        // Labels may come before the class is declared: keep them for any IRI subject in
        // the brick/td namespaces.
        if (t.subject.rfind(rdf::kBrick, 0) == 0 || t.subject.rfind(rdf::kTwinDesk, 0) == 0) {
            m_labels[intern(t.subject)] = t.object;
            return true;
        }
        return false;
    }
    if (t.predicate == kHasQuantity && t.objectType == NodeType::Iri) {
        m_quantities[intern(t.subject)] = t.object;
        return true;
    }
    return false;
}

const std::vector<BrickOntology::ClassId>& BrickOntology::closure(ClassId id) const
{
    if (m_closureDone[id])
        return m_closures[id];
    std::vector<bool> seen(m_iris.size(), false);
    std::vector<ClassId> result;
    std::deque<ClassId> queue{id};
    seen[id] = true;
    while (!queue.empty()) {
        const auto c = queue.front();
        queue.pop_front();
        result.push_back(c);
        for (const auto* next : {&m_parents[c], &m_equivalents[c]})
            for (auto n : *next)
                if (!seen[n]) {
                    seen[n] = true;
                    queue.push_back(n);
                }
    }
    std::sort(result.begin(), result.end());
    m_closures[id] = std::move(result);
    m_closureDone[id] = true;
    return m_closures[id];
}

bool BrickOntology::knows(std::string_view classIri) const
{
    const auto id = idOf(classIri);
    return id && m_known[*id];
}

bool BrickOntology::isA(std::string_view classIri, std::string_view targetIri) const
{
    if (classIri == targetIri)
        return true;
    const auto id = idOf(classIri);
    const auto target = idOf(targetIri);
    if (!id || !target)
        return false;
    const auto& c = closure(*id);
    return std::binary_search(c.begin(), c.end(), *target);
}

std::vector<std::string> BrickOntology::superClasses(std::string_view classIri) const
{
    const auto id = idOf(classIri);
    if (!id)
        return {std::string(classIri)};
    std::vector<std::string> result;
    for (auto c : closure(*id))
        result.push_back(m_iris[c]);
    std::sort(result.begin(), result.end());
    return result;
}

std::optional<std::string> BrickOntology::quantityOf(std::string_view classIri) const
{
    const auto id = idOf(classIri);
    if (!id)
        return std::nullopt;
    // Nearest declaration wins: walk the closure breadth-first rather than in id order.
    std::vector<bool> seen(m_iris.size(), false);
    std::deque<ClassId> queue{*id};
    seen[*id] = true;
    while (!queue.empty()) {
        const auto c = queue.front();
        queue.pop_front();
        if (!m_quantities[c].empty())
            return m_quantities[c];
        for (const auto* next : {&m_equivalents[c], &m_parents[c]})
            for (auto n : *next)
                if (!seen[n]) {
                    seen[n] = true;
                    queue.push_back(n);
                }
    }
    return std::nullopt;
}

std::optional<std::string> BrickOntology::label(std::string_view classIri) const
{
    const auto id = idOf(classIri);
    if (!id || m_labels[*id].empty())
        return std::nullopt;
    return m_labels[*id];
}

std::size_t BrickOntology::subclassEdgeCount() const
{
    std::size_t n = 0;
    for (const auto& p : m_parents)
        n += p.size();
    return n;
}

Status BrickOntology::writeClassSubset(const std::filesystem::path& file) const
{
    // Sorted by IRI so the bundled file is stable under regeneration.
    std::vector<ClassId> order(m_iris.size());
    for (ClassId i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(),
              [this](ClassId a, ClassId b) { return m_iris[a] < m_iris[b]; });

    const auto tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out)
            return makeError(ErrorCode::IoError, "cannot write", tmp);
        out << "# Class hierarchy extracted by `twindesk ontology-subset` (classes, "
               "rdfs:subClassOf,\n"
               "# owl:equivalentClass, rdfs:label, brick:hasQuantity). Source license: "
               "BSD-3-Clause.\n"
               "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
               "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
               "@prefix brick: <https://brickschema.org/schema/Brick#> .\n\n";
        for (auto id : order) {
            const bool hasContent = m_known[id] || !m_parents[id].empty() ||
                                    !m_equivalents[id].empty() || !m_quantities[id].empty();
            if (!hasContent)
                continue;
            out << '<' << m_iris[id] << '>';
            const char* sep = "\n    ";
            if (m_known[id]) {
                out << sep << "a owl:Class";
                sep = " ;\n    ";
            }
            if (!m_labels[id].empty()) {
                out << sep << "rdfs:label \"" << escapeLiteral(m_labels[id]) << '"';
                sep = " ;\n    ";
            }
            for (auto p : m_parents[id]) {
                out << sep << "rdfs:subClassOf <" << m_iris[p] << '>';
                sep = " ;\n    ";
            }
            for (auto e : m_equivalents[id]) {
                out << sep << "owl:equivalentClass <" << m_iris[e] << '>';
                sep = " ;\n    ";
            }
            if (!m_quantities[id].empty())
                out << sep << "brick:hasQuantity <" << m_quantities[id] << '>';
            out << " .\n";
        }
        if (!out.flush())
            return makeError(ErrorCode::IoError, "write failed (disk full?)", tmp);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec)
        return makeError(ErrorCode::IoError, "cannot move into place: " + ec.message(),
                         file.string());
    return {};
}

} // namespace twindesk::twin
