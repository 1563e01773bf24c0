#include "aligntrainer.h"

#include <torch/torch.h>

#include <cblas.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace ts {

namespace {

namespace F = torch::nn::functional;

// The same function as towerForward() in textencoder.cpp; the export check keeps the two equal.
struct TowerNetImpl : torch::nn::Module {
    TowerNetImpl(int input, int hidden, int output)
        : l1(register_module("l1", torch::nn::Linear(input, hidden))),
          l2(register_module("l2", torch::nn::Linear(hidden, output))),
          skip(register_module("skip", torch::nn::Linear(torch::nn::LinearOptions(input, output).bias(false))))
    {
    }
    torch::Tensor forward(const torch::Tensor &x)
    {
        return F::normalize(l2(torch::relu(l1(x))) + skip(x), F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
    }
    torch::nn::Linear l1, l2, skip;
};
TORCH_MODULE(TowerNet);

std::vector<float> toVector(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
    const float *p = c.data_ptr<float>();
    return std::vector<float>(p, p + c.numel());
}

TowerWeights exportTower(TowerNet &net, int input, int hidden, int output)
{
    TowerWeights w;
    w.inputDim = input;
    w.hiddenDim = hidden;
    w.outputDim = output;
    w.w1 = toVector(net->l1->weight);
    w.b1 = toVector(net->l1->bias);
    w.w2 = toVector(net->l2->weight);
    w.b2 = toVector(net->l2->bias);
    w.ws = toVector(net->skip->weight);
    return w;
}

/// Feature rows for texts, one row per distinct text.
struct FeatureTable {
    std::vector<float> data;
    std::vector<int64_t> rowOf; ///< per input text
    int64_t rows = 0;
};

FeatureTable featurize(const std::vector<std::string> &texts, const TextFeaturizer &featurizer,
                       const CancelToken &cancel, const std::function<void(double)> &progress)
{
    FeatureTable t;
    const size_t dim = static_cast<size_t>(featurizer.dimensions());
    std::unordered_map<std::string, int64_t> seen;
    std::vector<std::string> distinct;
    t.rowOf.reserve(texts.size());
    for (const std::string &text : texts) {
        auto [it, inserted] = seen.emplace(text, t.rows);
        if (inserted) {
            distinct.push_back(text);
            ++t.rows;
        }
        t.rowOf.push_back(it->second);
    }
    // In chunks, so a sentence encoder packs many texts per matrix product and cancel is seen between chunks.
    constexpr size_t kChunk = 512;
    t.data.resize(distinct.size() * dim);
    for (size_t first = 0; first < distinct.size() && !cancel.isCancelled(); first += kChunk) {
        const size_t n = std::min(kChunk, distinct.size() - first);
        const std::vector<std::string> chunk(distinct.begin() + static_cast<std::ptrdiff_t>(first),
                                             distinct.begin() + static_cast<std::ptrdiff_t>(first + n));
        featurizer.features(chunk, t.data.data() + first * dim);
        if (progress)
            progress(static_cast<double>(first + n) / static_cast<double>(distinct.size()));
    }
    return t;
}

torch::Tensor indexTensor(const std::vector<int64_t> &v)
{
    return torch::from_blob(const_cast<int64_t *>(v.data()), {static_cast<int64_t>(v.size())}, torch::kInt64).clone();
}

} // namespace

namespace {

/// One training run: the features, the two towers and their optimiser, the batches, the held-out check and the
/// export. Every step is fixed by the options' seed (and the BLAS thread count).
class Trainer {
public:
    Trainer(const TrainingSet &set, const TextFeaturizer &featurizer, const TrainOptions &o, const CancelToken &cancel,
            const ProgressFn &progress)
        : set(set), featurizer(featurizer), o(o), cancel(cancel), throttle(progress), input(featurizer.dimensions()),
          queryNet(input, o.hiddenDim, o.embedDim), componentNet(input, o.hiddenDim, o.embedDim)
    {
    }

    Result<TrainResult> run(const std::function<void(const EpochReport &)> &onEpoch)
    {
        using R = Result<TrainResult>;
        if (Status s = computeFeatures(); !s)
            return R::error(s);
        if (Status s = splitPairs(); !s)
            return R::error(s);
        std::vector<torch::Tensor> params = queryNet->parameters();
        for (const auto &p : componentNet->parameters())
            params.push_back(p);
        torch::optim::Adam optimizer(params, torch::optim::AdamOptions(o.learningRate).weight_decay(o.weightDecay));
        TrainResult result;
        result.initialLoss = initialLoss();
        int step = 0;
        for (int epoch = 1; epoch <= o.epochs; ++epoch) {
            auto report = runEpoch(epoch, step, optimizer);
            if (!report)
                return R::error(report);
            result.epochs.push_back(*report);
            if (onEpoch)
                onEpoch(*report);
        }
        exportWeights(result);
        throttle.report(1.0, "trained");
        return R(std::move(result));
    }

private:
    Status computeFeatures()
    {
        throttle.report(0.0, "computing features");
        // Features take a few seconds with word vectors alone, minutes with a sentence encoder: report them.
        const double qShare = static_cast<double>(set.queryTexts.size()) /
                              static_cast<double>(std::max<size_t>(1, set.queryTexts.size() + set.componentTexts.size()));
        qf = featurize(set.queryTexts, featurizer, cancel, [&](double f) {
            throttle.report(0.1 * f * qShare, "computing features");
        });
        cf = featurize(set.componentTexts, featurizer, cancel, [&](double f) {
            throttle.report(0.1 * (qShare + f * (1.0 - qShare)), "computing features");
        });
        if (cancel.isCancelled())
            return Status::cancelled();
        xq = torch::from_blob(const_cast<float *>(qf.data.data()), {qf.rows, input}, torch::kFloat32);
        xc = torch::from_blob(const_cast<float *>(cf.data.data()), {cf.rows, input}, torch::kFloat32);
        return Status::ok();
    }

    Status splitPairs()
    {
        for (size_t i = 0; i < set.pairs.size(); ++i)
            (set.pairs[i].validation ? validation : train).push_back(static_cast<int>(i));
        if (train.empty())
            return Status::error("every pair is held out for validation");
        if (static_cast<int>(validation.size()) > o.validationQueries)
            validation.resize(static_cast<size_t>(o.validationQueries));
        batch = std::min<int>(o.batchSize, static_cast<int>(train.size()));
        stepsPerEpoch = (static_cast<int>(train.size()) + batch - 1) / batch;
        totalSteps = stepsPerEpoch * o.epochs;
        warmup = std::max(1, std::min(100, totalSteps / 10));
        return Status::ok();
    }

    /// One batch: B sub-queries against their positives and hard negatives; every column that satisfies a
    /// sub-query is a positive of it.
    torch::Tensor batchLoss(const std::vector<int> &pairIdx)
    {
        const int64_t b = static_cast<int64_t>(pairIdx.size());
        std::vector<int64_t> qRows, cRows;
        std::vector<int> columns;
        for (int p : pairIdx) {
            qRows.push_back(qf.rowOf[static_cast<size_t>(set.pairs[static_cast<size_t>(p)].query)]);
            columns.push_back(set.pairs[static_cast<size_t>(p)].positive);
        }
        for (int p : pairIdx)
            if (set.pairs[static_cast<size_t>(p)].hardNegative >= 0)
                columns.push_back(set.pairs[static_cast<size_t>(p)].hardNegative);
        for (int c : columns)
            cRows.push_back(cf.rowOf[static_cast<size_t>(c)]);
        const int64_t nc = static_cast<int64_t>(columns.size());
        std::vector<uint8_t> mask(static_cast<size_t>(b * nc));
        for (int64_t i = 0; i < b; ++i) {
            const int query = set.pairs[static_cast<size_t>(pairIdx[static_cast<size_t>(i)])].query;
            for (int64_t j = 0; j < nc; ++j)
                mask[static_cast<size_t>(i * nc + j)] =
                    set.satisfies(query, columns[static_cast<size_t>(j)]) ? 1 : 0;
        }
        const torch::Tensor m = torch::from_blob(mask.data(), {b, nc}, torch::kUInt8).to(torch::kBool);
        const torch::Tensor eq = queryNet->forward(xq.index_select(0, indexTensor(qRows)));
        const torch::Tensor ec = componentNet->forward(xc.index_select(0, indexTensor(cRows)));
        const torch::Tensor logits = eq.mm(ec.t()) / o.temperature;
        const double ninf = -std::numeric_limits<double>::infinity();
        const torch::Tensor lossQ =
            -(logits.masked_fill(m.logical_not(), ninf).logsumexp(1) - logits.logsumexp(1)).mean();
        const torch::Tensor lt = logits.narrow(1, 0, b).t();
        const torch::Tensor mt = m.narrow(1, 0, b).t();
        const torch::Tensor lossC = -(lt.masked_fill(mt.logical_not(), ninf).logsumexp(1) - lt.logsumexp(1)).mean();
        return 0.5 * (lossQ + lossC);
    }

    std::vector<int> shuffled(int epoch) const
    {
        std::vector<int> order = train;
        Rng rng(o.seed * 7919u + static_cast<uint64_t>(epoch) + 1);
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<size_t>(rng.uniform(static_cast<int>(i)))]);
        return order;
    }

    std::vector<int> slice(const std::vector<int> &order, int step) const
    {
        const size_t begin = static_cast<size_t>(step) * static_cast<size_t>(batch);
        const size_t end = std::min(order.size(), begin + static_cast<size_t>(batch));
        return std::vector<int>(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                order.begin() + static_cast<std::ptrdiff_t>(end));
    }

    /// Held-out sub-queries against the held-out components: is the best one a component that satisfies it?
    double validate()
    {
        if (validation.empty())
            return 0.0;
        torch::NoGradGuard noGrad;
        std::vector<int> pool;
        {
            std::vector<char> in(set.componentTexts.size(), 0);
            for (int p : validation)
                for (int c :
                     {set.pairs[static_cast<size_t>(p)].positive, set.pairs[static_cast<size_t>(p)].hardNegative})
                    if (c >= 0 && !in[static_cast<size_t>(c)]) {
                        in[static_cast<size_t>(c)] = 1;
                        pool.push_back(c);
                    }
        }
        std::vector<int64_t> cRows, qRows;
        for (int c : pool)
            cRows.push_back(cf.rowOf[static_cast<size_t>(c)]);
        for (int p : validation)
            qRows.push_back(qf.rowOf[static_cast<size_t>(set.pairs[static_cast<size_t>(p)].query)]);
        const torch::Tensor ec = componentNet->forward(xc.index_select(0, indexTensor(cRows)));
        const torch::Tensor eq = queryNet->forward(xq.index_select(0, indexTensor(qRows)));
        const torch::Tensor best = eq.mm(ec.t()).argmax(1).contiguous();
        const int64_t *bp = best.data_ptr<int64_t>();
        int hits = 0;
        for (size_t i = 0; i < validation.size(); ++i)
            if (set.satisfies(set.pairs[static_cast<size_t>(validation[i])].query,
                              pool[static_cast<size_t>(bp[i])]))
                ++hits;
        return static_cast<double>(hits) / static_cast<double>(validation.size());
    }

    double initialLoss()
    {
        torch::NoGradGuard noGrad;
        const auto order = shuffled(0);
        const int probeBatches = std::min(3, stepsPerEpoch);
        double sum = 0.0;
        for (int s = 0; s < probeBatches; ++s)
            sum += batchLoss(slice(order, s)).item<double>();
        return sum / probeBatches;
    }

    Result<EpochReport> runEpoch(int epoch, int &step, torch::optim::Adam &optimizer)
    {
        const auto t0 = std::chrono::steady_clock::now();
        queryNet->train();
        componentNet->train();
        const auto order = shuffled(epoch);
        double sum = 0.0;
        for (int s = 0; s < stepsPerEpoch; ++s, ++step) {
            if (cancel.isCancelled())
                return Result<EpochReport>::cancelled();
            // Linear warm-up, then cosine decay to 5 % of the rate.
            const double lr =
                step < warmup
                    ? o.learningRate * (step + 1) / warmup
                    : o.learningRate *
                          (0.05 + 0.95 * 0.5 *
                                      (1.0 + std::cos(M_PI * (step - warmup) / std::max(1, totalSteps - warmup))));
            for (auto &group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions &>(group.options()).lr(lr);
            optimizer.zero_grad();
            torch::Tensor loss = batchLoss(slice(order, s));
            loss.backward();
            optimizer.step();
            sum += loss.item<double>();
            throttle.report(0.1 + 0.9 * static_cast<double>(step + 1) / totalSteps,
                            "epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs));
        }
        queryNet->eval();
        componentNet->eval();
        EpochReport report;
        report.epoch = epoch;
        report.loss = sum / stepsPerEpoch;
        report.validationTop1 = validate();
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return report;
    }

    void exportWeights(TrainResult &result)
    {
        result.weights.featureRecipe = featurizer.recipe();
        result.weights.wordDim = featurizer.vectors() ? featurizer.vectors()->dimensions() : 0;
        result.weights.query = exportTower(queryNet, input, o.hiddenDim, o.embedDim);
        result.weights.component = exportTower(componentNet, input, o.hiddenDim, o.embedDim);
        result.weights.training = {
            {"loss", "multi-positive InfoNCE, symmetric (query->components, component->queries), in-batch and hard "
                     "negatives"},
            {"temperature", o.temperature},
            {"optimizer", "Adam, linear warm-up then cosine decay"},
            {"learning_rate", o.learningRate},
            {"weight_decay", o.weightDecay},
            {"epochs", o.epochs},
            {"batch", batch},
            {"seed", o.seed},
            {"threads", o.threads},
            {"hidden_dim", o.hiddenDim},
            {"pairs_train", train.size()},
            {"pairs_validation", validation.size()},
            {"distinct_queries", qf.rows},
            {"distinct_components", cf.rows},
            {"initial_loss", result.initialLoss},
            {"final_loss", result.epochs.back().loss},
            {"validation_top1", result.epochs.back().validationTop1},
            {"libtorch", TORCH_VERSION},
        };
        torch::NoGradGuard noGrad;
        result.probeRows = static_cast<int>(std::min<int64_t>(16, qf.rows));
        const torch::Tensor probe = xq.narrow(0, 0, result.probeRows).contiguous();
        result.probeFeatures = toVector(probe);
        result.probeQuery = toVector(queryNet->forward(probe));
        result.probeComponent = toVector(componentNet->forward(probe));
    }

    const TrainingSet &set;
    const TextFeaturizer &featurizer;
    const TrainOptions &o;
    const CancelToken &cancel;
    ProgressThrottle throttle;
    const int input;
    FeatureTable qf, cf;
    torch::Tensor xq, xc;
    TowerNet queryNet;
    TowerNet componentNet;
    std::vector<int> train, validation;
    int batch = 0, stepsPerEpoch = 0, totalSteps = 0, warmup = 1;
};

} // namespace

Result<TrainResult> trainAligner(const TrainingSet &set, const TextFeaturizer &featurizer, const TrainOptions &o,
                                 const CancelToken &cancel, const std::function<void(const EpochReport &)> &onEpoch,
                                 const ProgressFn &progress)
{
    using R = Result<TrainResult>;
    if (set.pairs.empty())
        return R::error("no training pairs");
    if (o.batchSize < 2 || o.epochs < 1 || o.temperature <= 0.0)
        return R::error("batch size must be >= 2, epochs >= 1 and the temperature positive");
    try {
        // The matrix products run on OpenBLAS's threads; torch's own OpenMP pool stays at one thread because its
        // spin-waiting made an epoch ten times slower on a shared two-core machine (measured), for no gain here.
        torch::set_num_threads(1);
        const int blasThreadsBefore = openblas_get_num_threads();
        openblas_set_num_threads(std::max(1, o.threads));
        struct RestoreBlas {
            int threads;
            ~RestoreBlas() { openblas_set_num_threads(threads); }
        } restore{blasThreadsBefore};
        torch::manual_seed(o.seed);
        Trainer trainer(set, featurizer, o, cancel, progress);
        return trainer.run(onEpoch);
    } catch (const std::exception &e) {
        return R::error(std::string("training failed: ") + e.what());
    }
}

} // namespace ts
