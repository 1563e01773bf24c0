#include "llm/localllm.h"

#include "llm/gbnf.h"
#include "llm/jsonschema.h"

#include <llama.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace ts {

namespace {

using Clock = std::chrono::steady_clock;

/// Prompt prefixes kept at once (sequences of the KV memory): the decomposition's and the judgements'.
constexpr uint32_t kPrefixSlots = 2;
/// Shared tokens that make a slot worth reusing (more than a chat template's opening).
constexpr size_t kMinSharedPrefix = 32;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

/// llama.cpp reports loading details at info level; only its errors reach the user's terminal.
void quietLog(ggml_log_level level, const char *text, void *)
{
    if (level == GGML_LOG_LEVEL_ERROR)
        std::fputs(text, stderr);
}

struct SamplerDeleter {
    void operator()(llama_sampler *s) const { llama_sampler_free(s); }
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

} // namespace

struct LocalLlm::Impl {
    LocalLlmOptions options;
    llama_model *model = nullptr;
    llama_context *ctx = nullptr;
    const llama_vocab *vocab = nullptr;
    std::string name;

    std::mutex mutex; ///< one generation at a time
    const CancelToken *cancel = nullptr; ///< of the running generation, read by the abort callback
    /// Prompt prefixes kept in the KV memory, one sequence each: a query's decomposition and its judgements have
    /// different instructions, and each keeps its own so neither evicts the other.
    struct Slot {
        std::vector<llama_token> tokens; ///< whose keys and values sequence `index` holds
        uint64_t lastUse = 0;
    };
    std::vector<Slot> prefixes;
    uint64_t clock = 0;
    llama_batch batch{};
    std::vector<llama_token_data> candidates;
    LocalLlmStats totals;

    ~Impl()
    {
        if (batch.token)
            llama_batch_free(batch);
        if (ctx)
            llama_free(ctx);
        if (model)
            llama_model_free(model);
    }

    static bool abortRequested(void *self)
    {
        const CancelToken *c = static_cast<Impl *>(self)->cancel;
        return c && c->isCancelled();
    }

    /// The text of the vocabulary's control tokens ("<|im_start|>", "<end_of_turn>"...), found at load.
    std::vector<std::string> controlTexts;
    std::vector<char> isControl; ///< per token: a control token that is not an end of generation

    void indexControlTokens()
    {
        const int n = llama_vocab_n_tokens(vocab);
        isControl.assign(static_cast<size_t>(n), 0);
        for (llama_token t = 0; t < n; ++t) {
            if (!(llama_vocab_get_attr(vocab, t) & LLAMA_TOKEN_ATTR_CONTROL))
                continue;
            if (!llama_vocab_is_eog(vocab, t))
                isControl[static_cast<size_t>(t)] = 1;
            const char *text = llama_vocab_get_text(vocab, t);
            if (text && std::strlen(text) >= 3)
                controlTexts.emplace_back(text);
        }
    }

    /// Message text may quote a control token's spelling; the prompt is tokenised with special tokens parsed (the
    /// chat template needs them), so such a spelling is broken with a zero-width space to stay plain text.
    std::string neutralised(std::string text) const
    {
        for (const std::string &c : controlTexts)
            for (size_t at = text.find(c); at != std::string::npos; at = text.find(c, at + c.size() + 3))
                text.insert(at + 1, "\u200b");
        return text;
    }

    Result<std::string> formatChat(const std::vector<LlmMessage> &messages) const
    {
        std::vector<llama_chat_message> chat;
        std::vector<std::string> texts;
        texts.reserve(messages.size());
        size_t chars = 0;
        for (const LlmMessage &m : messages) {
            texts.push_back(neutralised(m.text));
            chars += texts.back().size();
        }
        for (size_t i = 0; i < messages.size(); ++i)
            chat.push_back({roleName(messages[i].role), texts[i].c_str()});
        const char *tmpl = llama_model_chat_template(model, nullptr);
        std::string buf(2 * chars + 1024, '\0');
        int n = llama_chat_apply_template(tmpl, chat.data(), chat.size(), true, buf.data(), static_cast<int>(buf.size()));
        if (n > static_cast<int>(buf.size())) {
            buf.resize(static_cast<size_t>(n));
            n = llama_chat_apply_template(tmpl, chat.data(), chat.size(), true, buf.data(), static_cast<int>(buf.size()));
        }
        if (n < 0)
            return Result<std::string>::error("the model's chat template is not one llama.cpp can apply");
        buf.resize(static_cast<size_t>(n));
        return buf;
    }

    Result<std::vector<llama_token>> tokenize(const std::string &text) const
    {
        std::vector<llama_token> tokens(text.size() + 16);
        int n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), true, true);
        if (n < 0) {
            tokens.resize(static_cast<size_t>(-n));
            n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), true, true);
        }
        if (n < 0)
            return Result<std::vector<llama_token>>::error("the prompt could not be tokenised");
        tokens.resize(static_cast<size_t>(n));
        return tokens;
    }

    /// Evaluates tokens after what the slot's sequence already holds; the slot is forgotten on any failure.
    Status decode(size_t slot, const llama_token *tokens, size_t count)
    {
        Slot &sl = prefixes[slot];
        for (size_t at = 0; at < count;) {
            const size_t n = std::min<size_t>(count - at, static_cast<size_t>(options.batchTokens));
            batch.n_tokens = static_cast<int32_t>(n);
            for (size_t i = 0; i < n; ++i) {
                batch.token[i] = tokens[at + i];
                batch.pos[i] = static_cast<llama_pos>(sl.tokens.size() + i);
                batch.n_seq_id[i] = 1;
                batch.seq_id[i][0] = static_cast<llama_seq_id>(slot);
                batch.logits[i] = i + 1 == n; // only the last token's logits are read
            }
            const int rc = llama_decode(ctx, batch);
            if (rc != 0) {
                forget(slot);
                return rc == 2 ? Status::cancelled() : Status::error("llama_decode failed (" + std::to_string(rc) + ")");
            }
            sl.tokens.insert(sl.tokens.end(), tokens + at, tokens + at + n);
            at += n;
        }
        return Status::ok();
    }

    void forget(size_t slot)
    {
        llama_memory_seq_rm(llama_get_memory(ctx), static_cast<llama_seq_id>(slot), -1, -1);
        prefixes[slot].tokens.clear();
    }

    static size_t commonPrefix(const std::vector<llama_token> &a, const std::vector<llama_token> &b)
    {
        size_t n = 0;
        while (n < a.size() && n < b.size() && a[n] == b[n])
            ++n;
        return n;
    }

    /// The slot sharing the longest prefix with the prompt (else the least recently used), trimmed to that prefix;
    /// returns the slot and how many prompt tokens it already holds.
    std::pair<size_t, size_t> reusePrefix(const std::vector<llama_token> &prompt)
    {
        // A slot counts as a match only when it shares more than the chat template's opening with the prompt;
        // otherwise the prompt takes an empty or the least recently used slot, and the other prefix survives.
        size_t best = 0, bestCommon = 0;
        bool matched = false;
        for (size_t i = 0; i < prefixes.size(); ++i) {
            const size_t c = commonPrefix(prefixes[i].tokens, prompt);
            if (c >= kMinSharedPrefix && c > bestCommon) {
                best = i;
                bestCommon = c;
                matched = true;
            }
        }
        if (!matched) {
            for (size_t i = 0; i < prefixes.size(); ++i)
                if (prefixes[i].lastUse < prefixes[best].lastUse)
                    best = i;
            bestCommon = commonPrefix(prefixes[best].tokens, prompt);
        }
        prefixes[best].lastUse = ++clock;
        size_t common = bestCommon;
        if (common == prompt.size() && common > 0)
            --common; // the last prompt token is evaluated again: its logits start the reply
        if (common < prefixes[best].tokens.size()) {
            if (!llama_memory_seq_rm(llama_get_memory(ctx), static_cast<llama_seq_id>(best),
                                     static_cast<llama_pos>(common), -1)) {
                forget(best);
                return {best, 0};
            }
            prefixes[best].tokens.resize(common);
        }
        return {best, common};
    }

    /// The most likely token the grammar allows. The unconstrained best is checked first: the grammar accepts it
    /// almost always, and checking one token is far cheaper than filtering the whole vocabulary.
    llama_token pick(llama_sampler *grammar)
    {
        const float *logits = llama_get_logits_ith(ctx, -1);
        const int nVocab = llama_vocab_n_tokens(vocab);
        // Control tokens other than the end of generation never belong in a reply (the grammar would accept
        // their spelling inside a string, and they print as nothing).
        llama_token best = -1;
        float bestLogit = -INFINITY;
        for (int t = 0; t < nVocab; ++t)
            if (logits[t] > bestLogit && !isControl[static_cast<size_t>(t)]) {
                bestLogit = logits[t];
                best = t;
            }
        if (!grammar || best < 0)
            return best;
        llama_token_data one{best, logits[best], 0.f};
        llama_token_data_array single{&one, 1, -1, false};
        llama_sampler_apply(grammar, &single);
        if (std::isfinite(one.logit))
            return best;
        candidates.resize(static_cast<size_t>(nVocab));
        for (int t = 0; t < nVocab; ++t)
            candidates[static_cast<size_t>(t)] = {t, isControl[static_cast<size_t>(t)] ? -INFINITY : logits[t], 0.f};
        llama_token_data_array all{candidates.data(), candidates.size(), -1, false};
        llama_sampler_apply(grammar, &all);
        bestLogit = -INFINITY;
        best = -1;
        for (size_t i = 0; i < all.size; ++i)
            if (all.data[i].logit > bestLogit) {
                bestLogit = all.data[i].logit;
                best = all.data[i].id;
            }
        return best;
    }

    std::string piece(llama_token token) const
    {
        std::string buf(64, '\0');
        int n = llama_token_to_piece(vocab, token, buf.data(), static_cast<int32_t>(buf.size()), 0, false);
        if (n < 0) {
            buf.resize(static_cast<size_t>(-n));
            n = llama_token_to_piece(vocab, token, buf.data(), static_cast<int32_t>(buf.size()), 0, false);
        }
        buf.resize(static_cast<size_t>(std::max(0, n)));
        return buf;
    }
};

LocalLlm::LocalLlm(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
LocalLlm::~LocalLlm() = default;

Result<std::shared_ptr<LocalLlm>> LocalLlm::load(const LocalLlmOptions &options)
{
    using R = Result<std::shared_ptr<LocalLlm>>;
    static std::once_flag backendOnce;
    std::call_once(backendOnce, [] {
        llama_log_set(quietLog, nullptr);
        llama_backend_init();
    });
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->options.batchTokens = std::clamp(options.batchTokens, 32, 4096);
    impl->options.contextTokens = std::max(512, options.contextTokens);
    if (impl->options.threads <= 0)
        impl->options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    impl->model = llama_model_load_from_file(options.modelPath.c_str(), mp);
    if (!impl->model)
        return R::error("cannot load the language model " + options.modelPath + " (not a GGUF file llama.cpp reads)");
    impl->vocab = llama_model_get_vocab(impl->model);
    impl->indexControlTokens();
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(impl->options.contextTokens);
    cp.n_batch = static_cast<uint32_t>(impl->options.batchTokens);
    cp.n_ubatch = cp.n_batch;
    cp.n_seq_max = kPrefixSlots;
    cp.kv_unified = true; // the prefixes share one context of n_ctx tokens
    cp.swa_full = true;   // sliding-window models keep every token, so a prefix can be trimmed and reused
    cp.no_perf = true;
    cp.n_threads = impl->options.threads;
    cp.n_threads_batch = impl->options.threads;
    cp.abort_callback = &Impl::abortRequested;
    cp.abort_callback_data = impl.get();
    impl->ctx = llama_init_from_model(impl->model, cp);
    if (!impl->ctx)
        return R::error("cannot make a context of " + std::to_string(cp.n_ctx) + " tokens for " + options.modelPath);
    impl->prefixes.resize(kPrefixSlots);
    impl->batch = llama_batch_init(static_cast<int32_t>(cp.n_batch), 0, 1);
    char buf[256] = {0};
    if (llama_model_meta_val_str(impl->model, "general.name", buf, sizeof buf) > 0)
        impl->name = buf;
    else
        impl->name = options.modelPath.substr(options.modelPath.find_last_of('/') + 1);
    return std::shared_ptr<LocalLlm>(new LocalLlm(std::move(impl)));
}

const std::string &LocalLlm::modelName() const { return m_impl->name; }
const LocalLlmOptions &LocalLlm::options() const { return m_impl->options; }

LocalLlmStats LocalLlm::totals() const
{
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return m_impl->totals;
}

Result<std::string> LocalLlm::generate(const std::vector<LlmMessage> &messages, const std::string &grammar,
                                       int maxTokens, const CancelToken &cancel, LocalLlmStats *stats)
{
    using R = Result<std::string>;
    Impl &d = *m_impl;
    // Waits for the running generation, giving up at once when cancelled.
    std::unique_lock<std::mutex> lock(d.mutex, std::defer_lock);
    while (!lock.try_lock()) {
        if (cancel.isCancelled())
            return R::cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const LlmMessage &m : messages)
        if (!m.images.empty())
            return R::error("the embedded model " + d.name + " reads no images");
    auto text = d.formatChat(messages);
    if (!text)
        return R::error(text);
    auto prompt = d.tokenize(*text);
    if (!prompt)
        return R::error(prompt);
    const int nCtx = static_cast<int>(llama_n_ctx(d.ctx));
    if (static_cast<int>(prompt->size()) + maxTokens > nCtx)
        return R::error("prompt of " + std::to_string(prompt->size()) + " tokens and a reply of up to " +
                        std::to_string(maxTokens) + " do not fit the context of " + std::to_string(nCtx) + " tokens");
    SamplerPtr grammarSampler;
    if (!grammar.empty()) {
        grammarSampler.reset(llama_sampler_init_grammar(d.vocab, grammar.c_str(), "root"));
        if (!grammarSampler)
            return R::error("llama.cpp rejected the output grammar");
    }
    d.cancel = &cancel;
    struct Reset {
        Impl &d;
        ~Reset() { d.cancel = nullptr; }
    } reset{d};

    LocalLlmStats s;
    s.promptTokens = static_cast<int>(prompt->size());
    auto t0 = Clock::now();
    const auto [slot, reused] = d.reusePrefix(*prompt);
    // The prefixes share the context: the others give way when this prompt and its reply need the room.
    size_t others = 0;
    for (size_t i = 0; i < d.prefixes.size(); ++i)
        others += i == slot ? 0 : d.prefixes[i].tokens.size();
    if (others + prompt->size() + static_cast<size_t>(maxTokens) > static_cast<size_t>(nCtx))
        for (size_t i = 0; i < d.prefixes.size(); ++i)
            if (i != slot)
                d.forget(i);
    s.reusedTokens = static_cast<int>(reused);
    if (Status st = d.decode(slot, prompt->data() + reused, prompt->size() - reused); !st)
        return R::error(st);
    s.promptMs = msSince(t0);

    t0 = Clock::now();
    std::string out;
    for (int i = 0; i < maxTokens; ++i) {
        if (cancel.isCancelled())
            return R::cancelled();
        const llama_token token = d.pick(grammarSampler.get());
        if (token < 0)
            return R::error("the grammar allows no token here (the model's vocabulary cannot spell the reply)");
        if (llama_vocab_is_eog(d.vocab, token))
            break;
        if (grammarSampler)
            llama_sampler_accept(grammarSampler.get(), token);
        out += d.piece(token);
        ++s.generatedTokens;
        if (Status st = d.decode(slot, &token, 1); !st)
            return R::error(st);
    }
    s.generateMs = msSince(t0);
    d.totals.promptTokens += s.promptTokens;
    d.totals.reusedTokens += s.reusedTokens;
    d.totals.generatedTokens += s.generatedTokens;
    d.totals.promptMs += s.promptMs;
    d.totals.generateMs += s.generateMs;
    if (stats)
        *stats = s;
    return out;
}

// ---------------------------------------------------------------------------------------------------------------

namespace {

class LocalLlmClient : public LlmClient {
public:
    LocalLlmClient(std::shared_ptr<LocalLlm> model, int maxTokens) : m_model(std::move(model))
    {
        m_endpoint.baseUrl = "local";
        m_endpoint.model = m_model->modelName();
        m_endpoint.maxTokens = maxTokens;
        m_endpoint.maxRetries = 0;
        m_endpoint.maxConcurrent = 1;
    }

    Result<LlmReply> complete(const LlmRequest &request, const CancelToken &cancel) override
    {
        using R = Result<LlmReply>;
        const auto t0 = Clock::now();
        std::string grammar;
        if (!request.schema.is_null()) {
            auto g = jsonSchemaToGbnf(request.schema);
            if (!g)
                return R::error("the reply schema cannot be turned into a grammar: " + g.message());
            grammar = std::move(g).value();
        }
        LocalLlmStats stats;
        auto text = m_model->generate(request.messages, grammar, m_endpoint.maxTokens, cancel, &stats);
        if (!text)
            return R::error(text);
        LlmReply reply;
        reply.rawText = *text;
        reply.model = m_model->modelName();
        reply.attempts = 1;
        if (!request.schema.is_null()) {
            reply.json = nlohmann::json::parse(reply.rawText, nullptr, false);
            if (reply.json.is_discarded())
                return R::error("the reply is not JSON (it stopped after " + std::to_string(stats.generatedTokens) +
                                " tokens; raise the token limit?)");
            if (const Status v = validateJson(request.schema, reply.json); !v)
                return R::error("schema violation: " + v.message());
        }
        reply.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        return reply;
    }

    const LlmEndpoint &endpoint() const override { return m_endpoint; }
    std::string name() const override { return "local:" + m_model->modelName(); }

private:
    std::shared_ptr<LocalLlm> m_model;
    LlmEndpoint m_endpoint;
};

} // namespace

std::unique_ptr<LlmClient> makeLocalLlmClient(std::shared_ptr<LocalLlm> model, int maxTokens)
{
    return std::make_unique<LocalLlmClient>(std::move(model), maxTokens);
}

} // namespace ts
