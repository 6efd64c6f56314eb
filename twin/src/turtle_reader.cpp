#include <twindesk/twin/turtle_reader.h>

#include <serd/serd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace twindesk::twin {

namespace {

// Everything the Serd callbacks need, reached through Serd's `void* handle`.
struct ReadContext
{
    std::string_view text;
    std::size_t offset = 0;              // bytes handed to Serd so far
    std::vector<std::size_t> lineStarts; // offsets where each line begins
    std::string name;
    SerdEnv* env = nullptr;
    const TripleSink* sink = nullptr;
    std::string error; // first error reported by Serd's error sink
    bool stopped = false;

    [[nodiscard]] std::size_t lineAt(std::size_t at) const
    {
        const auto it = std::upper_bound(lineStarts.begin(), lineStarts.end(), at);
        return static_cast<std::size_t>(it - lineStarts.begin());
    }
};

// Serd pulls input through this source one byte at a time (page size 1), so `offset` is
// exactly where the parser stands when it emits a statement: that gives us its line.
std::size_t readSource(void* buffer, std::size_t size, std::size_t nmemb, void* stream)
{
    auto* ctx = static_cast<ReadContext*>(stream);
    const std::size_t wanted = size * nmemb;
    const std::size_t left = ctx->text.size() - ctx->offset;
    const std::size_t n = std::min(wanted, left);
    std::copy_n(ctx->text.data() + ctx->offset, n, static_cast<char*>(buffer));
    ctx->offset += n;
    return size == 0 ? 0 : n / size;
}

int sourceError(void* /*stream*/)
{
    return 0;
}

std::string nodeString(const SerdNode* node)
{
    return node == nullptr || node->buf == nullptr
               ? std::string{}
               : std::string(reinterpret_cast<const char*>(node->buf), node->n_bytes); // NOLINT
}

// Expands a CURIE or (relative) IRI to an absolute IRI; blank nodes get "_:".
bool expand(const ReadContext& ctx, const SerdNode* node, std::string& out, NodeType& type)
{
    switch (node->type) {
    case SERD_BLANK:
        out = "_:" + nodeString(node);
        type = NodeType::Blank;
        return true;
    case SERD_URI:
    case SERD_CURIE: {
        SerdNode expanded = serd_env_expand_node(ctx.env, node);
        if (expanded.buf == nullptr)
            return false;
        out = nodeString(&expanded);
        serd_node_free(&expanded);
        type = NodeType::Iri;
        return true;
    }
    case SERD_LITERAL:
        out = nodeString(node);
        type = NodeType::Literal;
        return true;
    case SERD_NOTHING:
        break;
    }
    return false;
}

SerdStatus onBase(void* handle, const SerdNode* uri)
{
    auto* ctx = static_cast<ReadContext*>(handle);
    return serd_env_set_base_uri(ctx->env, uri);
}

SerdStatus onPrefix(void* handle, const SerdNode* name, const SerdNode* uri)
{
    auto* ctx = static_cast<ReadContext*>(handle);
    return serd_env_set_prefix(ctx->env, name, uri);
}

SerdStatus onStatement(void* handle, SerdStatementFlags /*flags*/, const SerdNode* /*graph*/,
                       const SerdNode* subject, const SerdNode* predicate, const SerdNode* object,
                       const SerdNode* datatype, const SerdNode* lang)
{
    auto* ctx = static_cast<ReadContext*>(handle);
    Triple t;
    NodeType predicateType = NodeType::Iri;
    t.line = ctx->lineAt(ctx->offset == 0 ? 0 : ctx->offset - 1);
    if (!expand(*ctx, subject, t.subject, t.subjectType) ||
        !expand(*ctx, predicate, t.predicate, predicateType) ||
        !expand(*ctx, object, t.object, t.objectType)) {
        ctx->error = ctx->name + ":" + std::to_string(t.line) +
                     ": cannot expand a prefixed name or IRI in this statement";
        ctx->stopped = true;
        return SERD_ERR_BAD_CURIE;
    }
    if (datatype != nullptr && datatype->buf != nullptr) {
        NodeType dummy = NodeType::Iri;
        expand(*ctx, datatype, t.datatype, dummy);
    }
    if (lang != nullptr && lang->buf != nullptr)
        t.language = nodeString(lang);
    if (!(*ctx->sink)(t)) {
        ctx->stopped = true;
        return SERD_FAILURE;
    }
    return SERD_SUCCESS;
}

SerdStatus onError(void* handle, const SerdError* error)
{
    auto* ctx = static_cast<ReadContext*>(handle);
    if (!ctx->error.empty())
        return SERD_SUCCESS; // keep the first error: later ones are usually consequences
    char message[1024];
    va_list args;
    va_copy(args, *error->args);
    std::vsnprintf(message, sizeof message, error->fmt, args); // NOLINT(cert-err33-c)
    va_end(args);
    std::string text(message);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    ctx->error = ctx->name + ":" + std::to_string(error->line) + ":" + std::to_string(error->col) +
                 ": " + text;
    return SERD_SUCCESS;
}

struct ReaderDeleter
{
    void operator()(SerdReader* r) const { serd_reader_free(r); }
};
struct EnvDeleter
{
    void operator()(SerdEnv* e) const { serd_env_free(e); }
};

Status readImpl(std::string_view text, const std::string& name, const std::string& baseIri,
                const TripleSink& sink)
{
    ReadContext ctx;
    ctx.text = text;
    ctx.name = name;
    ctx.sink = &sink;
    ctx.lineStarts.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n')
            ctx.lineStarts.push_back(i + 1);

    SerdNode base = serd_node_from_string(
        SERD_URI, reinterpret_cast<const uint8_t*>(baseIri.c_str())); // NOLINT
    std::unique_ptr<SerdEnv, EnvDeleter> env(serd_env_new(&base));
    ctx.env = env.get();
    std::unique_ptr<SerdReader, ReaderDeleter> reader(
        serd_reader_new(SERD_TURTLE, &ctx, nullptr, onBase, onPrefix, onStatement, nullptr));
    serd_reader_set_strict(reader.get(), true);
    serd_reader_set_error_sink(reader.get(), onError, &ctx);

    const SerdStatus status =
        serd_reader_read_source(reader.get(), readSource, sourceError, &ctx,
                                reinterpret_cast<const uint8_t*>(name.c_str()), 1); // NOLINT
    if (ctx.stopped) {
        if (ctx.error.empty())
            ctx.error = name + ": reading stopped at line " +
                        std::to_string(ctx.lineAt(ctx.offset)) + " by the importer";
        return makeError(ErrorCode::ParseError, ctx.error);
    }
    if (status > SERD_FAILURE || !ctx.error.empty()) {
        if (ctx.error.empty())
            ctx.error = name + ":" + std::to_string(ctx.lineAt(ctx.offset)) + ": " +
                        reinterpret_cast<const char*>(serd_strerror(status)); // NOLINT
        return makeError(ErrorCode::ParseError,
                         "malformed Turtle: " + ctx.error +
                             " (fix the file at that line and column, then import again)");
    }
    return {};
}

} // namespace

Status readTurtleFile(const std::filesystem::path& file, const TripleSink& sink)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return makeError(ErrorCode::NotFound, "file does not exist", file.string());
    if (std::filesystem::is_directory(file, ec))
        return makeError(ErrorCode::IoError, "is a directory, expected a Turtle (.ttl) file",
                         file.string());
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::IoError, "cannot open the file for reading (permissions?)",
                         file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        return makeError(ErrorCode::IoError, "read error", file.string());
    const std::string text = buffer.str();
    const auto absolute = std::filesystem::absolute(file, ec);
    return readImpl(text, file.string(), "file://" + absolute.generic_string(), sink);
}

Status readTurtleString(std::string_view text, std::string_view name, const TripleSink& sink)
{
    return readImpl(text, std::string(name), "file:///" + std::string(name), sink);
}

} // namespace twindesk::twin
