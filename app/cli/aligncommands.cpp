// The aligner's commands: train the paired encoders (LibTorch builds only), embed a library's components, the
// coarse-stage benchmark on synthetic libraries up to 100,000 videos, and a sanity check on a real library.
#include "commands.h"

#include "align/alignedsearch.h"
#include "align/coarsebench.h"
#include "align/componentindex.h"
#include "align/components.h"
#include "align/embedding.h"
#include "align/sentenceencoder.h"
#include "align/textencoder.h"
#include "align/trainingdata.h"
#include "terminal.h"
#include "vision/labels.h"

#ifdef TWINSEEK_HAVE_ALIGN_TRAIN
#include "align/aligntrainer.h"
#endif
#ifdef TWINSEEK_HAVE_FAISS
#include "align/faisssearch.h"
#endif

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cblas.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace ts::cli {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

long peakRssMb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

struct Vocabulary {
    std::vector<LabelConcept> objects; ///< detector and classifier classes (track categories and alternatives)
    std::vector<LabelConcept> scenes; ///< classifier classes (whole-frame labels)
    std::vector<std::string> files;
};

/// The label vocabulary of the installed detectors and classifiers, from their manifests' label files.
Vocabulary installedVocabulary(Services &services)
{
    Vocabulary v;
    std::set<std::string> seenObjects, seenScenes, seenFiles;
    for (const ModelManifest &m : services.models().manifests()) {
        if (m.labelsFile.empty() || (m.role != "detector" && m.role != "classifier"))
            continue;
        const std::string path = services.models().filePath(m, m.labelsFile);
        if (!QFileInfo::exists(QString::fromStdString(path)) || !seenFiles.insert(path).second)
            continue;
        auto labels = loadLabels(path);
        if (!labels)
            continue;
        v.files.push_back(path);
        for (const ClassLabel &l : *labels) {
            const std::string id = l.synset.empty() ? l.name : l.synset;
            if (seenObjects.insert(id).second)
                v.objects.push_back({l.name, l.synset});
            if (m.role == "classifier" && seenScenes.insert(id).second)
                v.scenes.push_back({l.name, l.synset});
        }
    }
    return v;
}

Status needKnowledge(Services &services)
{
    if (!services.wordVectors())
        return Status::error(services.wordVectorsError());
    if (!services.wordnet())
        return Status::error(services.wordnetError());
    return Status::ok();
}

std::vector<Twin> libraryTwins(const TwinStore &store)
{
    std::vector<Twin> out;
    for (const VideoRow &r : store.videos()) {
        if (r.status != VideoStatus::Done)
            continue;
        auto t = store.loadTwin(r.key, TwinDetail::NoMasks);
        if (t)
            out.push_back(std::move(t).value());
    }
    return out;
}

// ------------------------------------------------------------------------------------------------------------------

int trainAlignerCommand(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({{"o", "out"}, "Weights file to write (e.g. models/trained/aligner-v1.bin).", "FILE"});
    p.addOption({"epochs", "Training epochs (default 6).", "N", "6"});
    p.addOption({"seed", "Seed of the data and the initial weights (default 1).", "S", "1"});
    p.addOption(
        {"threads", "Torch threads (default 2; part of the recipe: results are reproducible per count).", "N", "2"});
    p.addOption({"videos", "Synthetic videos drawn from the label vocabulary (default 6000).", "N", "6000"});
    p.addOption({"batch", "Sub-queries per batch (default 512).", "N", "512"});
    p.addOption({"name", "Model generation recorded in the version (default aligner-v1).", "NAME", "aligner-v1"});
    p.addOption({"features",
                 "Input features: 'sentence' (GloVe slots + the installed sentence encoder; the default when one is "
                 "installed) or 'glove' (GloVe slots only).",
                 "KIND"});
    if (!parse(p, args, "train-aligner", ""))
        return 2;
#ifndef TWINSEEK_HAVE_ALIGN_TRAIN
    return fail("train-aligner: this build has no LibTorch (configure with TWINSEEK_WITH_TORCH=ON)");
#else
    if (!p.isSet("out"))
        return fail("train-aligner: --out FILE is required");
    Status knowledge = needKnowledge(services);
    if (!knowledge)
        return fail("train-aligner: " + knowledge.message());
    const Vocabulary vocab = installedVocabulary(services);
    if (vocab.objects.empty())
        return fail("train-aligner: no detector or classifier label files are installed (run scripts/setup.sh)");
    const uint64_t seed = p.value("seed").toULongLong();
    const auto t0 = Clock::now();

    SyntheticOptions so;
    so.videos = std::max(1, p.value("videos").toInt());
    so.seed = seed;
    const std::vector<Twin> synthetic =
        syntheticTwins(vocab.objects, vocab.scenes, *services.wordnet(), services.wordVectors(), so);
    std::vector<Twin> library;
    if (p.isSet("db")) {
        auto store = openDb(p, LibraryAccess::ReadOnly);
        if (!store)
            return fail(store.message());
        library = libraryTwins(**store);
    }
    Paraphraser paraphraser(*services.wordnet(), services.wordVectors());
    TrainingDataOptions dataOptions;
    dataOptions.seed = seed;
    const TrainingSet set = makeTrainingSet(synthetic, library, paraphraser, dataOptions);
    std::printf("vocabulary: %zu object and %zu scene classes from", vocab.objects.size(), vocab.scenes.size());
    for (const auto &f : vocab.files)
        std::printf(" %s", QFileInfo(QString::fromStdString(f)).fileName().toUtf8().constData());
    std::printf("\ndata: %zu synthetic + %zu library twins -> %zu components, %zu sub-query pairs (%.1f s)\n",
                synthetic.size(), library.size(), set.componentTexts.size(), set.pairs.size(), msSince(t0) / 1000.0);
    Rng show(seed + 99);
    for (int i = 0; i < 6 && !set.pairs.empty(); ++i) {
        const TrainingPair &pair = set.pairs[static_cast<size_t>(show.uniform(static_cast<int>(set.pairs.size())))];
        std::printf("  e.g. \"%s\"  ->  \"%s\"\n", set.queryTexts[static_cast<size_t>(pair.query)].c_str(),
                    set.componentTexts[static_cast<size_t>(pair.positive)].c_str());
    }

    TrainOptions to;
    to.epochs = std::max(1, p.value("epochs").toInt());
    to.seed = seed;
    to.threads = std::max(1, p.value("threads").toInt());
    to.batchSize = std::max(2, p.value("batch").toInt());
    const QString kind = p.value("features").isEmpty() ? (services.sentenceEncoder() ? "sentence" : "glove")
                                                        : p.value("features");
    if (kind != "sentence" && kind != "glove")
        return fail("train-aligner: --features is 'sentence' or 'glove', not '" + kind.toStdString() + "'");
    if (kind == "sentence" && !services.sentenceEncoder())
        return fail("train-aligner: " + services.sentenceEncoderError());
    const SentenceEncoder *sentence = kind == "sentence" ? services.sentenceEncoder() : nullptr;
    TextFeaturizer featurizer(services.wordVectors(), services.wordnet(), sentence);
    std::printf("features: %s (%d inputs)\n", featurizer.recipe().c_str(), featurizer.dimensions());
    TerminalProgress bar;
    CancelToken cancel;
    auto trained = trainAligner(
        set, featurizer, to, cancel,
        [&bar](const EpochReport &r) {
            char line[160];
            std::snprintf(line, sizeof line, "epoch %d: loss %.4f, held-out top-1 %.1f %% (%.1f s)", r.epoch, r.loss,
                          100.0 * r.validationTop1, r.seconds);
            bar.line(line);
        },
        [&bar](double f, const std::string &stage) { bar.update(f, stage); });
    bar.finish();
    if (!trained)
        return fail("train-aligner: " + trained.message());
    AlignerWeights weights = trained->weights;
    weights.name = p.value("name").toStdString();
    weights.training["data"] = {
        {"synthetic_videos", synthetic.size()},
        {"library_videos", library.size()},
        {"vocabulary_objects", vocab.objects.size()},
        {"vocabulary_scenes", vocab.scenes.size()},
        {"components", set.componentTexts.size()},
        {"pairs", set.pairs.size()},
        {"paraphrases", "WordNet synonyms, hypernyms, gloss clauses, WordNet-confirmed GloVe neighbours; colour, "
                        "size, motion, direction, position and relation phrasings; never benchmark queries"},
    };
    std::printf("initial loss %.4f -> final %.4f\n", trained->initialLoss, trained->epochs.back().loss);

    // The exported weights must give what the trained torch modules gave.
    auto encoder = TextEncoder::fromWeights(weights, services.wordVectors(), services.wordnet(), sentence);
    if (!encoder)
        return fail("train-aligner: exported weights do not load: " + encoder.message());
    double maxDiff = 0.0;
    for (Tower tower : {Tower::Query, Tower::Component}) {
        const auto cpp = (*encoder)->encodeFeatures(tower, trained->probeFeatures.data(), trained->probeRows);
        const auto &ref = tower == Tower::Query ? trained->probeQuery : trained->probeComponent;
        for (size_t i = 0; i < cpp.size() && i < ref.size(); ++i)
            maxDiff = std::max(maxDiff, static_cast<double>(std::fabs(cpp[i] - ref[i])));
    }
    std::printf("export check: max |C++ - torch| = %.2e over %d probe rows\n", maxDiff, trained->probeRows);
    if (maxDiff > 1e-4)
        return fail("train-aligner: the C++ inference differs from the torch forward");
    Status written = writeAlignerFile(p.value("out").toStdString(), weights);
    if (!written)
        return fail("train-aligner: " + written.message());
    std::printf("wrote %s: version %s, %lld bytes, %.1f min\n", qPrintable(p.value("out")), weights.version().c_str(),
                static_cast<long long>(QFileInfo(p.value("out")).size()), msSince(t0) / 60000.0);
    return 0;
#endif
}

int embedCommand(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"all", "Re-embed every video, not only those whose encoder version differs."});
    if (!parse(p, args, "embed", ""))
        return 2;
    auto store = openDb(p);
    if (!store)
        return fail(store.message());
    const TextEncoder *encoder = services.aligner();
    if (!encoder)
        return fail("embed: " + services.alignerError());
    TerminalProgress bar;
    CancelToken cancel;
    const auto t0 = Clock::now();
    const EmbedSummary s = embedLibrary(**store, *encoder, p.isSet("all") ? EmbedScope::All : EmbedScope::Stale, cancel,
                                        [&bar](double f, const std::string &l) { bar.update(f, l); });
    bar.finish();
    for (const auto &f : s.failures)
        std::printf("FAILED  %s\n", f.c_str());
    std::printf("embedded %zu videos with %s, %d already up to date, %zu failed (%.1f s)\n", s.embedded.size(),
                encoder->version().c_str(), s.upToDate, s.failures.size(), msSince(t0) / 1000.0);
    return s.failures.empty() ? 0 : 3;
}

// ------------------------------------------------------------------------------------------------------------------

int benchCoarse(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({"videos", "Library sizes (default 1000,10000,100000).", "N,N,...", "1000,10000,100000"});
    p.addOption({"queries", "Queries per size (default 50).", "N", "50"});
    p.addOption({"k", "Videos returned per query (default 10).", "K", "10"});
    p.addOption({"faiss-k", "Components FAISS returns per sub-query (default 2000).", "N", "2000"});
    p.addOption({"seed", "Seed of the synthetic library and queries (default 7).", "S", "7"});
    p.addOption({"store", "Also write each library to DIR/bench-N.sqlite and time the search through the store "
                          "(first query loads the index; later ones check the library's signature).",
                 "DIR"});
    if (!parse(p, args, "bench-coarse", ""))
        return 2;
    Status knowledge = needKnowledge(services);
    if (!knowledge)
        return fail("bench-coarse: " + knowledge.message());
    CoarseBenchSetup setup;
    setup.encoder = services.aligner();
    if (!setup.encoder)
        return fail("bench-coarse: " + services.alignerError());
    const Vocabulary vocab = installedVocabulary(services);
    if (vocab.objects.empty())
        return fail("bench-coarse: no detector or classifier label files are installed");
    setup.wordnet = services.wordnet();
    setup.vectors = services.wordVectors();
    setup.objects = vocab.objects;
    setup.scenes = vocab.scenes;
    setup.queries = std::max(1, p.value("queries").toInt());
    setup.k = std::max(1, p.value("k").toInt());
    setup.faissK = std::max(setup.k, p.value("faiss-k").toInt());
    setup.seed = p.value("seed").toULongLong();
    const QString storeDir = p.value("store");
    if (!storeDir.isEmpty())
        setup.openStore = [storeDir](int videos) {
            const std::string path = QDir(storeDir).filePath(QString("bench-%1.sqlite").arg(videos)).toStdString();
            for (const char *suffix : {"", "-wal", "-shm"})
                QFile::remove(QString::fromStdString(path + suffix));
            return Services::openStore(path);
        };

    std::printf("SYNTHETIC libraries: twins drawn from %zu object / %zu scene classes of the installed models "
                "(no real videos); encoder %s, %d-d; %d BLAS threads\n",
                vocab.objects.size(), vocab.scenes.size(), setup.encoder->version().c_str(),
                setup.encoder->dimensions(), openblas_get_num_threads());
    std::printf("%8s %9s %6s %8s %8s | %9s %9s", "videos", "comps", "/video", "index", "embed", "exact p50",
                "exact p95");
#ifdef TWINSEEK_HAVE_FAISS
    std::printf(" | %9s %9s %6s %8s", "faiss p50", "faiss p95", "same", "overlap");
#endif
    std::printf(" | %6s", "self@k");
    if (!storeDir.isEmpty())
        std::printf(" | %8s %9s %9s %6s", "load", "store p50", "store p95", "same");
    std::printf("\n");
    for (const QString &sizeText : p.value("videos").split(',', Qt::SkipEmptyParts)) {
        const int videos = sizeText.trimmed().toInt();
        if (videos <= 0)
            return fail("bench-coarse: bad size '" + sizeText.toStdString() + "'");
        auto row = benchCoarseLibrary(videos, setup);
        if (!row)
            return fail("bench-coarse: " + row.message());
        const CoarseBenchRow &r = *row;
        std::printf("%8d %9zu %6.1f %6.0fMB %7.1fs | %7.2fms %7.2fms", r.videos, r.components,
                    static_cast<double>(r.components) / r.videos, r.indexMb, r.embedSeconds, r.exactP50Ms,
                    r.exactP95Ms);
        if (r.faiss)
            std::printf(" | %7.2fms %7.2fms %5.0f%% %7.1f%%", r.faissP50Ms, r.faissP95Ms, 100.0 * r.faissSame,
                        100.0 * r.faissOverlap);
        std::printf(" | %5.0f%%", 100.0 * r.selfAtK);
        if (r.stored)
            std::printf(" | %6.2fs %7.2fms %7.2fms %5.0f%%", r.loadSeconds, r.storeP50Ms, r.storeP95Ms,
                        100.0 * r.storeSame);
        std::printf("\n");
        std::fflush(stdout);
    }
    std::printf("comps: component vectors; index: the exact matrix with ids; embed: generating + embedding the "
                "synthetic components%s;\nexact: BLAS search per query (%d queries of 1-3 sub-queries, k=%d)",
                storeDir.isEmpty() ? "" : " and writing the library", setup.queries, setup.k);
#ifdef TWINSEEK_HAVE_FAISS
    std::printf("; faiss: IndexFlatIP, %d nearest components per sub-query,\nsame per-video aggregation; same: "
                "queries whose top-%d video sets equal the exact ones; overlap: mean share in common",
                setup.faissK, setup.k);
#endif
    std::printf(";\nself@k: queries whose source video is in the top-%d", setup.k);
    if (!storeDir.isEmpty())
        std::printf("; load: index from SQLite; store: search through the library incl. signature check and "
                    "sub-query embedding");
    std::printf(". Peak RSS %ld MB.\n", peakRssMb());
    return 0;
}

// ------------------------------------------------------------------------------------------------------------------

int evalAligner(Services &services, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption({"k", "Top-k counted as found (default 10).", "K", "10"});
    p.addOption({"rounds", "Paraphrase draws per video (default 3).", "N", "3"});
    p.addOption({"seed", "Seed of the paraphrases (default 5).", "S", "5"});
    p.addOption({"verbose", "Print every query and the rank of its video."});
    if (!parse(p, args, "eval-aligner", ""))
        return 2;
    auto store = openDb(p, LibraryAccess::ReadOnly);
    if (!store)
        return fail(store.message());
    Status knowledge = needKnowledge(services);
    if (!knowledge)
        return fail("eval-aligner: " + knowledge.message());
    const TextEncoder *encoder = services.aligner();
    if (!encoder)
        return fail("eval-aligner: " + services.alignerError());
    const int k = std::max(1, p.value("k").toInt());
    const int rounds = std::max(1, p.value("rounds").toInt());

    // The library's own embeddings when they are current (the path queries take); otherwise the same components
    // embedded in memory, so a library that cannot be written to can still be checked.
    std::vector<Twin> twins;
    std::vector<VideoId> ids;
    bool current = true;
    for (const VideoRow &r : (*store)->videos()) {
        if (r.status != VideoStatus::Done)
            continue;
        auto t = (*store)->loadTwin(r.key, TwinDetail::NoMasks);
        if (!t)
            continue;
        current = current && r.encoderVersion == encoder->version();
        twins.push_back(std::move(t).value());
        ids.push_back(r.id);
    }
    if (twins.empty())
        return fail("eval-aligner: the library has no videos");
    std::shared_ptr<const ComponentIndex> index;
    AlignedCoarseSearch search(*encoder);
    CancelToken cancel;
    if (current) {
        auto loaded = search.index(**store, cancel);
        if (!loaded)
            return fail("eval-aligner: " + loaded.message());
        index = *loaded;
        std::printf("library embeddings are current (%s): searching them\n", encoder->version().c_str());
    } else {
        ComponentIndex::Builder builder(encoder->dimensions());
        int64_t cid = 0;
        for (size_t i = 0; i < twins.size(); ++i) {
            const auto comps = componentsOf(twins[i]);
            std::vector<std::string> texts;
            for (const Component &c : comps)
                texts.push_back(c.text);
            const auto v = encoder->encode(Tower::Component, texts);
            for (size_t j = 0; j < comps.size(); ++j)
                builder.add(ids[i], ++cid, comps[j].weight, v.data() + j * static_cast<size_t>(encoder->dimensions()),
                            encoder->dimensions());
        }
        index = builder.finish();
        std::printf("library embeddings are not all from %s (run `embed`): components embedded in memory\n",
                    encoder->version().c_str());
    }

    Paraphraser paraphraser(*services.wordnet(), services.wordVectors());
    struct Tally {
        std::vector<double> ranks;
    };
    std::map<std::string, Tally> tallies;
    const uint64_t seed = p.value("seed").toULongLong();
    for (int round = 0; round < rounds; ++round) {
        Rng rng(seed + static_cast<uint64_t>(round) * 1009);
        for (size_t i = 0; i < twins.size(); ++i) {
            const Twin &twin = twins[i];
            const auto comps = componentsOf(twin);
            // The twin's top labels: its two most salient objects of different categories, and its top scene label.
            std::vector<const Component *> objects;
            for (const Component &c : comps)
                if (c.kind == "object")
                    objects.push_back(&c);
            std::stable_sort(objects.begin(), objects.end(),
                             [](const Component *a, const Component *b) { return a->weight > b->weight; });
            std::vector<std::pair<std::string, std::string>> picked; // (paraphrase, exact label)
            std::set<std::string> categories;
            for (const Component *c : objects) {
                const Track *t = twin.track(std::atoll(c->ref.c_str()));
                if (!t || !categories.insert(t->category.name).second)
                    continue;
                const auto para = paraphraser.paraphrase(twin, *c, rng, 1);
                if (!para.empty())
                    picked.emplace_back(para.front().text, t->category.name);
                if (picked.size() == 2)
                    break;
            }
            for (const Component &c : comps)
                if (c.kind == "scene") {
                    const auto para = paraphraser.paraphrase(twin, c, rng, 1);
                    if (!para.empty())
                        picked.emplace_back(para.front().text, c.text);
                    break;
                }
            if (picked.empty())
                continue;
            for (const char *variant : {"paraphrased", "exact labels"}) {
                std::vector<IndexQuery> queries;
                std::string shown;
                for (const auto &[para, label] : picked) {
                    const std::string &text = std::string(variant) == "paraphrased" ? para : label;
                    IndexQuery q;
                    q.vector = encoder->encode(Tower::Query, text);
                    queries.push_back(std::move(q));
                    shown += (shown.empty() ? "" : " | ") + text;
                }
                const auto hits =
                    index->search(queries, static_cast<int>(index->videoCount()), Aggregation::WeightedMean, cancel);
                double rank = static_cast<double>(index->videoCount() + 1);
                for (size_t h = 0; h < hits.size(); ++h)
                    if (hits[h].videoId == ids[i]) {
                        rank = static_cast<double>(h + 1);
                        break;
                    }
                tallies[variant].ranks.push_back(rank);
                if (p.isSet("verbose") && round == 0)
                    std::printf("  %-24s rank %3.0f  [%s] %s\n", twin.video.key.c_str(), rank, variant, shown.c_str());
            }
        }
    }
    std::printf("%zu videos, %d round(s); sub-queries = each twin's two most salient object labels and top scene "
                "label (no benchmark queries)\n",
                twins.size(), rounds);
    for (const auto &[variant, t] : tallies) {
        auto share = [&t](double r) {
            return 100.0 *
                   static_cast<double>(
                       std::count_if(t.ranks.begin(), t.ranks.end(), [r](double x) { return x <= r; })) /
                   static_cast<double>(t.ranks.size());
        };
        std::printf("  %-12s queries %4zu  R@1 %5.1f%%  R@5 %5.1f%%  R@%d %5.1f%%  median rank %.0f\n", variant.c_str(),
                    t.ranks.size(), share(1), share(5), k, share(k), percentile(t.ranks, 0.5));
    }
    return 0;
}

} // namespace

int trainAligner(Services &services, const QStringList &args) { return trainAlignerCommand(services, args); }
int embed(Services &services, const QStringList &args) { return embedCommand(services, args); }
int benchCoarseSearch(Services &services, const QStringList &args) { return benchCoarse(services, args); }
int evalAlignerOnLibrary(Services &services, const QStringList &args) { return evalAligner(services, args); }

} // namespace ts::cli
