// The coarse stage: twin components, the encoders' weights file and inference, LibTorch training and its export,
// the exact component index against brute force, index refresh, and re-embedding only what is stale.
// Synthetic data made here: a tiny random word-vector table, random weights, hand-made twins.
#include "align/alignedsearch.h"
#include "align/componentindex.h"
#include "align/components.h"
#include "align/embedding.h"
#include "align/textencoder.h"
#include "align/trainingdata.h"
#include "store/twinstore.h"
#include "testsupport.h"
#include "wordnetfixture.h"

#ifdef TWINSEEK_HAVE_ALIGN_TRAIN
#include "align/aligntrainer.h"
#endif

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

using namespace ts;

namespace {

constexpr int kWordDim = 16;

const std::vector<std::string> &vocabulary()
{
    static const std::vector<std::string> words = {
        "bear",  "dog",  "cat",    "horse", "person", "car",      "bus",   "bird",  "fish",
        "tree",  "boat", "ball",   "brown", "grey",   "red",      "blue",  "green", "black",
        "white", "pink", "yellow", "left",  "right",  "moving",   "large", "small", "riding",
        "near",  "stop", "sign",   "word",  "forest", "seashore", "otter", "wolf",  "a"};
    return words;
}

std::unique_ptr<WordVectors> tinyVectors(uint64_t seed = 3)
{
    Rng rng(seed);
    std::vector<std::vector<float>> vectors;
    for (size_t i = 0; i < vocabulary().size(); ++i) {
        std::vector<float> v(kWordDim);
        for (float &x : v)
            x = rng.unit() * 2.f - 1.f;
        vectors.push_back(v);
    }
    return WordVectors::fromTable(vocabulary(), vectors);
}

TowerWeights randomTower(Rng &rng, int in, int hidden, int out)
{
    TowerWeights t;
    t.inputDim = in;
    t.hiddenDim = hidden;
    t.outputDim = out;
    auto fill = [&rng](std::vector<float> &v, size_t n) {
        v.resize(n);
        for (float &x : v)
            x = (rng.unit() * 2.f - 1.f) * 0.3f;
    };
    fill(t.w1, static_cast<size_t>(hidden) * in);
    fill(t.b1, static_cast<size_t>(hidden));
    fill(t.w2, static_cast<size_t>(out) * hidden);
    fill(t.b2, static_cast<size_t>(out));
    fill(t.ws, static_cast<size_t>(out) * in);
    return t;
}

AlignerWeights randomWeights(uint64_t seed, int embed = 8)
{
    Rng rng(seed);
    AlignerWeights w;
    w.name = "aligner-test";
    w.wordDim = kWordDim;
    w.training = {{"recipe", "random test weights"}, {"seed", seed}};
    const int input = TextFeaturizer::kSlots * kWordDim;
    w.query = randomTower(rng, input, 12, embed);
    w.component = randomTower(rng, input, 12, embed);
    return w;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

/// A hand-made twin with every kind of component and a few traps (duplicate relation labels, a relation to a
/// missing track, a scene label below the noise floor, a face observation without text).
Twin handMadeTwin()
{
    Twin t;
    t.video.key = "handmade";
    t.video.frameCount = 100;
    auto track = [](TrackId id, const std::string &name, const std::string &synset) {
        Track tr;
        tr.id = id;
        tr.category.name = name;
        tr.category.synset = synset;
        tr.category.score = 0.8f;
        tr.firstFrame = 0;
        tr.lastFrame = 99;
        return tr;
    };
    Track bear = track(1, "brown bear", "n02132136");
    bear.category.alternatives = {{"bear", "n02131653", 0.3f}, {"otter", "n02444819", 0.05f}};
    bear.attributes["colour"] = {"brown", "cielab-names", 1.f};
    bear.attributes["colour_secondary"] = {"grey", "cielab-names", 1.f};
    bear.attributes["size"] = {"large", "geometry", 1.f};
    bear.attributes["motion"] = {"slow", "tracking", 1.f};
    bear.attributes["direction"] = {"right", "tracking", 1.f};
    bear.attributes["position"] = {"top-left", "geometry", 1.f};
    bear.attributes["duration_share"] = {"80%", "tracking", 1.f};
    bear.meanAreaFraction = 0.2f;
    Track person = track(2, "person", "n00007846");
    person.attributes["colour"] = {"red", "cielab-names", 1.f};
    person.attributes["size"] = {"small", "geometry", 1.f};
    person.attributes["motion"] = {"static", "tracking", 1.f};
    person.attributes["direction"] = {"none", "tracking", 1.f};
    person.attributes["position"] = {"left", "geometry", 1.f};
    person.attributes["duration_share"] = {"10%", "tracking", 1.f};
    person.meanAreaFraction = 0.01f;
    Track horse = track(3, "horse", "n02374451");
    horse.meanAreaFraction = 0.05f;
    Track rider = track(4, "person", "n00007846");
    rider.meanAreaFraction = 0.02f;
    t.tracks = {bear, person, horse, rider};
    t.relationships = {{2, "riding", 3, 0, 10, 0.9f, "geometry"},
                       {4, "riding", 3, 20, 30, 0.7f, "geometry"},
                       {1, "left of", 2, 0, 50, 1.f, "geometry"},
                       {3, "appears", 0, 0, 0, 1.f, "tracking"},
                       {9, "near", 1, 0, 5, 1.f, "geometry"}};
    t.scene = {{"forest", "n08438533", 0.6f, "m", {}},
               {"valley", "n09468604", 0.2f, "m", {}},
               {"alp", "n09193705", 0.01f, "m", {}}};
    t.observations = {{"ocr", "STOP", 0, 0, 10, {}, 0.9f, "ppocr"}, {"face", "", 0, 0, 10, {}, 0.9f, "yunet"}};
    return t;
}

/// Video v's component vectors for the brute-force rows: 1..6 random unit vectors with random weights.
struct RandomLibrary {
    std::vector<VideoId> videos;
    std::vector<std::vector<std::vector<float>>> vectors;
    std::vector<std::vector<float>> weights;
};

std::vector<float> randomUnit(Rng &rng, int dim)
{
    std::vector<float> v(static_cast<size_t>(dim));
    double s = 0.0;
    for (float &x : v) {
        x = rng.unit() * 2.f - 1.f;
        s += x * x;
    }
    for (float &x : v)
        x = static_cast<float>(x / std::sqrt(s));
    return v;
}

RandomLibrary randomLibrary(int videos, int dim, uint64_t seed)
{
    Rng rng(seed);
    RandomLibrary lib;
    for (int v = 0; v < videos; ++v) {
        lib.videos.push_back(100 + 3 * v);
        lib.vectors.emplace_back();
        lib.weights.emplace_back();
        const int n = 1 + rng.uniform(6);
        for (int c = 0; c < n; ++c) {
            lib.vectors.back().push_back(randomUnit(rng, dim));
            lib.weights.back().push_back(0.2f + 0.8f * rng.unit());
        }
    }
    return lib;
}

} // namespace

Q_DECLARE_METATYPE(Aggregation)

class TestAlign : public QObject {
    Q_OBJECT
private slots:
    // ---- components

    void componentsOfHandMadeTwin_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("ref");
        QTest::addColumn<QString>("text");
        QTest::newRow("object with alternative and attributes")
            << 0 << "object"
            << "1"
            << "brown bear, or bear; brown and grey; large; slow, moving right; top left";
        QTest::newRow("static object without direction") << 1 << "object"
                                                         << "2"
                                                         << "person; red; small; static; left";
        QTest::newRow("object without attributes") << 2 << "object"
                                                   << "3"
                                                   << "horse";
        QTest::newRow("relations with the same labels merge") << 4 << "relation"
                                                              << "2:riding:3;4:riding:3"
                                                              << "person riding horse";
        QTest::newRow("binary relation") << 5 << "relation"
                                         << "1:left of:2"
                                         << "brown bear left of person";
        QTest::newRow("unary relation") << 6 << "relation"
                                        << "3:appears:0"
                                        << "horse appears";
        QTest::newRow("top scene label") << 7 << "scene"
                                         << "scene:0"
                                         << "forest";
        QTest::newRow("second scene label") << 8 << "scene"
                                            << "scene:1"
                                            << "valley";
        QTest::newRow("ocr text as data") << 9 << "text"
                                          << "observation:0"
                                          << "STOP";
    }
    void componentsOfHandMadeTwin()
    {
        QFETCH(int, index);
        QFETCH(QString, kind);
        QFETCH(QString, ref);
        QFETCH(QString, text);
        const auto comps = componentsOf(handMadeTwin());
        // 4 objects, 3 relations (duplicate labels merged, the missing track's dropped), 2 scene labels (one
        // below the noise floor), 1 text (the face observation has none).
        QCOMPARE(static_cast<int>(comps.size()), 10);
        const Component &c = comps[static_cast<size_t>(index)];
        QCOMPARE(QString::fromStdString(c.kind), kind);
        QCOMPARE(QString::fromStdString(c.ref), ref);
        QCOMPARE(QString::fromStdString(c.text), text);
        QVERIFY(c.weight > 0.f && c.weight <= 1.f);
    }

    void componentWeightsFollowSalience()
    {
        const Twin t = handMadeTwin();
        const auto comps = componentsOf(t);
        // Long, large bear over a small person seen for a tenth of the clip.
        QVERIFY(comps[0].weight > 0.85f);
        QVERIFY(comps[1].weight < 0.5f);
        QVERIFY(comps[0].weight > comps[1].weight);
        // Scene weights are relative to the top label; an unary relation weighs less than a binary one.
        QCOMPARE(comps[7].weight, 1.f);
        QVERIFY(comps[8].weight < comps[7].weight);
        QVERIFY(comps[6].weight < comps[4].weight);
        QCOMPARE(relationRefPairs(comps[4].ref).size(), size_t{2});
    }

    // ---- weights file and encoder

    void loadsWeightsAndRejectsBrokenFiles_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("message"); // empty: must load
        QTest::newRow("intact") << "none"
                                << "";
        QTest::newRow("missing file") << "missing"
                                      << "cannot open";
        QTest::newRow("not a weights file") << "magic"
                                            << "bad magic";
        QTest::newRow("cut inside the header") << "cut-header"
                                               << "truncated inside the header";
        QTest::newRow("cut inside the weights") << "cut-weights"
                                                << "truncated: expected";
        QTest::newRow("one weight byte flipped") << "flip"
                                                 << "checksum mismatch";
        QTest::newRow("header not JSON") << "json"
                                         << "not valid JSON";
        QTest::newRow("bytes after the weights") << "trailing"
                                                 << "trailing bytes";
        QTest::newRow("absurd header length") << "length"
                                              << "implausible header length";
        QTest::newRow("other feature recipe") << "recipe"
                                              << "trained on features";
        QTest::newRow("other word-vector size") << "worddim"
                                                << "-d word vectors";
    }
    void loadsWeightsAndRejectsBrokenFiles()
    {
        QFETCH(QString, damage);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath("aligner-test.bin");
        AlignerWeights w = randomWeights(11);
        if (damage == "recipe")
            w.featureRecipe = "bag-of-words;v0";
        if (damage == "worddim")
            w.wordDim = 300;
        QVERIFY(writeAlignerFile(path.toStdString(), w).isOk());
        QByteArray bytes = readAll(path);
        quint32 headerLen = 0;
        std::memcpy(&headerLen, bytes.constData() + 8, 4);
        if (damage == "missing")
            QFile::remove(path);
        else if (damage == "magic")
            bytes[0] = 'X';
        else if (damage == "cut-header")
            bytes.truncate(12 + static_cast<int>(headerLen) / 2);
        else if (damage == "cut-weights")
            bytes.chop(100);
        else if (damage == "flip")
            bytes[bytes.size() - 7] = static_cast<char>(bytes[bytes.size() - 7] ^ 0x10);
        else if (damage == "json")
            bytes[12] = '#';
        else if (damage == "trailing")
            bytes.append("extra");
        else if (damage == "length") {
            const quint32 huge = 0x7fffffff;
            std::memcpy(bytes.data() + 8, &huge, 4);
        }
        if (damage != "missing" && damage != "none" && damage != "recipe" && damage != "worddim")
            writeAll(path, bytes);
        auto vectors = tinyVectors();
        auto encoder = TextEncoder::load(path.toStdString(), vectors.get(), nullptr);
        if (message.isEmpty()) {
            QVERIFY2(encoder.isOk(), encoder.message().c_str());
            QCOMPARE(QString::fromStdString((*encoder)->version()), QString::fromStdString(w.version()));
            QVERIFY((*encoder)->version().rfind("aligner-test-", 0) == 0);
            return;
        }
        QVERIFY(!encoder.isOk());
        QVERIFY2(QString::fromStdString(encoder.message()).contains(message), encoder.message().c_str());
        // The message names the file, so a user knows which one to replace.
        QVERIFY(QString::fromStdString(encoder.message()).contains("aligner-test.bin"));
    }

    void encoderComputesTheTowerFunction()
    {
        auto vectors = tinyVectors();
        const AlignerWeights w = randomWeights(5);
        auto encoder = TextEncoder::fromWeights(w, vectors.get(), nullptr);
        QVERIFY2(encoder.isOk(), encoder.message().c_str());
        const std::vector<std::string> texts = {"a brown bear moving right", "person riding horse", "STOP", ""};
        const auto batch = (*encoder)->encode(Tower::Component, texts);
        const int in = (*encoder)->featurizer().dimensions();
        const int dim = (*encoder)->dimensions();
        for (size_t i = 0; i < texts.size(); ++i) {
            // Reference: the formula written out with plain loops.
            const auto x = (*encoder)->featurizer().features(texts[i]);
            const TowerWeights &t = w.component;
            std::vector<double> h(static_cast<size_t>(t.hiddenDim)), y(static_cast<size_t>(dim));
            for (int r = 0; r < t.hiddenDim; ++r) {
                double s = t.b1[static_cast<size_t>(r)];
                for (int c = 0; c < in; ++c)
                    s += t.w1[static_cast<size_t>(r * in + c)] * x[static_cast<size_t>(c)];
                h[static_cast<size_t>(r)] = std::max(0.0, s);
            }
            double norm = 0.0;
            for (int r = 0; r < dim; ++r) {
                double s = t.b2[static_cast<size_t>(r)];
                for (int c = 0; c < t.hiddenDim; ++c)
                    s += t.w2[static_cast<size_t>(r * t.hiddenDim + c)] * h[static_cast<size_t>(c)];
                for (int c = 0; c < in; ++c)
                    s += t.ws[static_cast<size_t>(r * in + c)] * x[static_cast<size_t>(c)];
                y[static_cast<size_t>(r)] = s;
                norm += s * s;
            }
            for (int r = 0; r < dim; ++r)
                QVERIFY(std::fabs(batch[i * static_cast<size_t>(dim) + static_cast<size_t>(r)] -
                                  y[static_cast<size_t>(r)] / std::sqrt(norm)) < 1e-5);
            const auto single = (*encoder)->encode(Tower::Component, texts[i]);
            QVERIFY(std::equal(single.begin(), single.end(), batch.begin() + static_cast<std::ptrdiff_t>(i * dim),
                               [](float a, float b) { return std::fabs(a - b) < 1e-6f; }));
        }
        // The towers differ: the same text is embedded differently by the query tower.
        const auto q = (*encoder)->encode(Tower::Query, texts[0]);
        QVERIFY(std::fabs(q[0] - batch[0]) > 1e-6f || std::fabs(q[1] - batch[1]) > 1e-6f);
    }

    void featuresKeepKindsOfWordsApart()
    {
        auto vectors = tinyVectors();
        TextFeaturizer f(vectors.get(), nullptr);
        const int d = kWordDim;
        auto slotNorm = [d](const std::vector<float> &x, int slot) {
            double s = 0.0;
            for (int i = 0; i < d; ++i)
                s += x[static_cast<size_t>(slot * d + i)] * x[static_cast<size_t>(slot * d + i)];
            return std::sqrt(s);
        };
        const auto x = f.features("a large brown bear moving left");
        QVERIFY(std::fabs(slotNorm(x, 0) - 1.0) < 1e-5); // content: bear
        QVERIFY(std::fabs(slotNorm(x, 1) - 1.0) < 1e-5); // colour: brown
        QVERIFY(std::fabs(slotNorm(x, 2) - 1.0) < 1e-5); // geometry: large, moving, left
        QCOMPARE(slotNorm(x, 3), 0.0); // no WordNet: no hypernyms
        const auto gray = f.features("gray"), grey = f.features("grey");
        QVERIFY(std::equal(gray.begin(), gray.end(), grey.begin())); // colour synonyms meet
        const auto none = f.features("the of and");
        QCOMPARE(std::accumulate(none.begin(), none.end(), 0.f), 0.f);
    }

    // ---- training (LibTorch builds only)

#ifdef TWINSEEK_HAVE_ALIGN_TRAIN
    void trainingLearnsAndExportsExactly()
    {
        // Nouns x colours; each noun its own pseudo concept. Sub-queries name a noun or a coloured noun; the hard
        // negative of a coloured query is the same noun in another colour.
        auto vectors = tinyVectors(9);
        TextFeaturizer featurizer(vectors.get(), nullptr);
        const std::vector<std::string> nouns = {"bear", "dog",  "cat",  "horse", "person", "car",
                                                "bus",  "bird", "fish", "tree",  "boat",   "ball"};
        const std::vector<std::string> colours = {"brown", "grey", "red", "blue"};
        TrainingSet set;
        for (size_t n = 0; n < nouns.size(); ++n)
            for (const std::string &c : colours) {
                set.componentTexts.push_back(nouns[n] + "; " + c);
                ComponentFacts f;
                f.concepts = {static_cast<SynsetId>(n + 1)};
                f.colour = c;
                set.facts.push_back(f);
            }
        for (size_t ci = 0; ci < set.componentTexts.size(); ++ci) {
            const size_t n = ci / colours.size();
            for (int variant = 0; variant < 2; ++variant) {
                QuerySpec spec;
                spec.concept = static_cast<SynsetId>(n + 1);
                std::string text = "a " + nouns[n];
                if (variant == 1) {
                    spec.colour = set.facts[ci].colour;
                    text = "a " + spec.colour + " " + nouns[n];
                }
                if (variant == 0 && ci % colours.size() != 0)
                    continue; // one plain query per noun
                TrainingPair pair;
                pair.query = static_cast<int>(set.queryTexts.size());
                pair.positive = static_cast<int>(ci);
                pair.hardNegative = static_cast<int>(n * colours.size() + (ci + 1) % colours.size());
                set.queryTexts.push_back(text);
                set.specs.push_back(spec);
                set.pairs.push_back(pair);
            }
        }
        TrainOptions o;
        o.epochs = 40;
        o.batchSize = 16;
        o.hiddenDim = 32;
        o.embedDim = 16;
        o.learningRate = 5e-3;
        o.threads = 1;
        o.seed = 4;
        CancelToken cancel;
        auto r = trainAligner(set, featurizer, o, cancel);
        QVERIFY2(r.isOk(), r.message().c_str());
        QVERIFY2(r->epochs.back().loss < 0.6 * r->initialLoss,
                 qPrintable(QString("loss %1 -> %2").arg(r->initialLoss).arg(r->epochs.back().loss)));

        // The exported weights, through the plain C++ encoder, rank a satisfying component first for most pairs.
        auto encoder = TextEncoder::fromWeights(r->weights, vectors.get(), nullptr);
        QVERIFY2(encoder.isOk(), encoder.message().c_str());
        const auto comps = (*encoder)->encode(Tower::Component, set.componentTexts);
        const int dim = (*encoder)->dimensions();
        int right = 0;
        for (const TrainingPair &pair : set.pairs) {
            const auto q = (*encoder)->encode(Tower::Query, set.queryTexts[static_cast<size_t>(pair.query)]);
            int best = -1;
            double bestSim = -2.0;
            for (size_t c = 0; c < set.componentTexts.size(); ++c) {
                double s = 0.0;
                for (int i = 0; i < dim; ++i)
                    s += q[static_cast<size_t>(i)] * comps[c * static_cast<size_t>(dim) + static_cast<size_t>(i)];
                if (s > bestSim) {
                    bestSim = s;
                    best = static_cast<int>(c);
                }
            }
            right += set.satisfies(pair.query, best) ? 1 : 0;
        }
        QVERIFY2(right >= static_cast<int>(0.8 * set.pairs.size()),
                 qPrintable(QString("%1 of %2 ranked right").arg(right).arg(set.pairs.size())));

        // C++ inference equals the torch forward of the trained modules, also after a file round trip.
        QTemporaryDir dir;
        const std::string path = dir.filePath("aligner-trained.bin").toStdString();
        QVERIFY(writeAlignerFile(path, r->weights).isOk());
        auto reloaded = TextEncoder::load(path, vectors.get(), nullptr);
        QVERIFY2(reloaded.isOk(), reloaded.message().c_str());
        QCOMPARE((*reloaded)->version(), r->weights.version());
        for (Tower tower : {Tower::Query, Tower::Component}) {
            const auto cpp = (*reloaded)->encodeFeatures(tower, r->probeFeatures.data(), r->probeRows);
            const auto &ref = tower == Tower::Query ? r->probeQuery : r->probeComponent;
            QCOMPARE(cpp.size(), ref.size());
            for (size_t i = 0; i < cpp.size(); ++i)
                QVERIFY2(std::fabs(cpp[i] - ref[i]) < 1e-4f, qPrintable(QString("%1 vs %2").arg(cpp[i]).arg(ref[i])));
        }

        // Same seed and threads, same weights.
        auto again = trainAligner(set, featurizer, o, cancel);
        QVERIFY(again.isOk());
        QCOMPARE(again->weights.checksum(), r->weights.checksum());
    }
#endif

    void paraphrasesSatisfyTheirComponent()
    {
        std::unique_ptr<WordNet> wn;
        TS_LOAD_WORDNET(wn);
        auto vectors = tinyVectors();
        Paraphraser paraphraser(*wn, vectors.get());
        const Twin t = handMadeTwin();
        Rng rng(2);
        int made = 0;
        for (const Component &c : componentsOf(t)) {
            const ComponentFacts f = paraphraser.factsOf(t, c);
            for (const Paraphrase &p : paraphraser.paraphrase(t, c, rng, 4)) {
                QVERIFY2(satisfies(p.spec, f), p.text.c_str());
                ++made;
            }
        }
        QVERIFY(made >= 10);
        // A hypernym names the bear too, and the brown bear is not a horse.
        const ComponentFacts bear = paraphraser.factsOf(t, componentsOf(t)[0]);
        QuerySpec animal;
        animal.concept = wn->lookup("animal", WnPos::Noun).front();
        QVERIFY(satisfies(animal, bear));
        QuerySpec horse;
        horse.concept = wn->lookup("horse", WnPos::Noun).front();
        QVERIFY(!satisfies(horse, bear));
        QuerySpec grey = animal;
        grey.colour = "grey"; // the secondary colour counts
        QVERIFY(satisfies(grey, bear));
        grey.colour = "pink";
        QVERIFY(!satisfies(grey, bear));
    }

    // ---- index

    void indexSearchEqualsBruteForce_data()
    {
        QTest::addColumn<Aggregation>("aggregation");
        QTest::addColumn<int>("videos");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("negated"); // index of the negated sub-query, -1 for none
        QTest::addColumn<bool>("zeroWeights");
        QTest::newRow("weighted mean") << Aggregation::WeightedMean << 300 << 10 << -1 << false;
        QTest::newRow("min") << Aggregation::Min << 300 << 10 << -1 << false;
        QTest::newRow("k larger than library") << Aggregation::WeightedMean << 7 << 50 << -1 << false;
        QTest::newRow("empty library") << Aggregation::WeightedMean << 0 << 10 << -1 << false;
        QTest::newRow("negated sub-query, mean") << Aggregation::WeightedMean << 300 << 10 << 1 << false;
        QTest::newRow("negated sub-query, min") << Aggregation::Min << 300 << 10 << 2 << false;
        QTest::newRow("all weights zero count equally") << Aggregation::WeightedMean << 200 << 10 << -1 << true;
        QTest::newRow("more rows than one BLAS block") << Aggregation::WeightedMean << 9000 << 25 << 0 << false;
    }
    void indexSearchEqualsBruteForce()
    {
        QFETCH(Aggregation, aggregation);
        QFETCH(int, videos);
        QFETCH(int, k);
        QFETCH(int, negated);
        QFETCH(bool, zeroWeights);
        const int dim = 24;
        const RandomLibrary lib = randomLibrary(videos, dim, 77 + static_cast<uint64_t>(videos));
        // Added in a scrambled order: the builder must group rows by video itself.
        ComponentIndex::Builder builder(dim);
        std::vector<std::tuple<size_t, size_t>> rows;
        for (size_t v = 0; v < lib.videos.size(); ++v)
            for (size_t c = 0; c < lib.vectors[v].size(); ++c)
                rows.emplace_back(v, c);
        Rng shuffle(1);
        for (size_t i = rows.size(); i > 1; --i)
            std::swap(rows[i - 1], rows[static_cast<size_t>(shuffle.uniform(static_cast<int>(i)))]);
        for (const auto &[v, c] : rows)
            QVERIFY(builder.add(lib.videos[v], static_cast<int64_t>(v * 10 + c + 1), lib.weights[v][c],
                                lib.vectors[v][c].data(), dim));
        QVERIFY(!builder.add(1, 1, 1.f, lib.videos.empty() ? nullptr : lib.vectors[0][0].data(), dim - 1));
        const auto index = builder.finish();
        QCOMPARE(index->videoCount(), lib.videos.size());

        Rng rng(5);
        std::vector<IndexQuery> queries(3);
        for (size_t s = 0; s < queries.size(); ++s) {
            queries[s].vector = randomUnit(rng, dim);
            queries[s].weight = zeroWeights ? 0.f : 0.5f + static_cast<float>(s);
            queries[s].negated = static_cast<int>(s) == negated;
        }
        CancelToken cancel;
        const auto hits = index->search(queries, k, aggregation, cancel);

        // Brute force, written independently of the index.
        struct Scored {
            VideoId id;
            double score;
            std::vector<int64_t> best;
        };
        std::vector<Scored> all;
        for (size_t v = 0; v < lib.videos.size(); ++v) {
            Scored sc{lib.videos[v], 0.0, {}};
            double weighted = 0.0, weights = 0.0, minimum = std::numeric_limits<double>::infinity();
            for (const IndexQuery &q : queries) {
                double best = -1e9;
                int64_t bestId = 0;
                for (size_t c = 0; c < lib.vectors[v].size(); ++c) {
                    double d = 0.0;
                    for (int i = 0; i < dim; ++i)
                        d += q.vector[static_cast<size_t>(i)] * lib.vectors[v][c][static_cast<size_t>(i)];
                    d += ComponentIndex::kSalience * (lib.weights[v][c] - 1.0);
                    if (d > best) {
                        best = d;
                        bestId = static_cast<int64_t>(v * 10 + c + 1);
                    }
                }
                const double sat = q.negated ? 1.0 - best : best;
                const double w = zeroWeights ? 1.0 : q.weight;
                weighted += w * sat;
                weights += w;
                minimum = std::min(minimum, sat);
                sc.best.push_back(bestId);
            }
            sc.score = aggregation == Aggregation::Min ? minimum : weighted / weights;
            all.push_back(sc);
        }
        std::sort(all.begin(), all.end(), [](const Scored &a, const Scored &b) {
            return a.score != b.score ? a.score > b.score : a.id < b.id;
        });
        const size_t expected = std::min(all.size(), static_cast<size_t>(k));
        QCOMPARE(hits.size(), expected);
        for (size_t i = 0; i < expected; ++i) {
            QCOMPARE(hits[i].videoId, all[i].id);
            QVERIFY2(std::fabs(hits[i].score - all[i].score) < 1e-5, qPrintable(QString::number(i)));
            QCOMPARE(hits[i].bestComponent, all[i].best);
            QCOMPARE(hits[i].perSubQuery.size(), queries.size());
        }
        if (negated >= 0 && expected > 0) {
            // The negation lowers a video that matches the negated concept: the video whose best component is
            // the negated vector itself can never lead.
            const auto &nv = queries[static_cast<size_t>(negated)].vector;
            ComponentIndex::Builder b2(dim);
            b2.add(1, 1, 1.f, nv.data(), dim);
            b2.add(2, 2, 1.f, randomUnit(rng, dim).data(), dim);
            const auto small = b2.finish()->search({queries[static_cast<size_t>(negated)]}, 2, aggregation, cancel);
            QCOMPARE(small.back().videoId, VideoId{1});
        }
        // A cancelled search returns nothing rather than a partial ranking.
        CancelToken cancelled;
        cancelled.cancel();
        QVERIFY(index->search(queries, k, aggregation, cancelled).empty());
    }

    void storeBackedSearchRefreshesWhenTheLibraryChanges()
    {
        QTemporaryDir dir;
        auto store = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(store.isOk());
        auto vectors = tinyVectors();
        auto encoder = TextEncoder::fromWeights(randomWeights(21), vectors.get(), nullptr);
        QVERIFY(encoder.isOk());
        auto put = [&](const std::string &key, const std::string &label) {
            Twin t = test::sampleTwin();
            t.video.key = key;
            t.video.path = "/videos/" + key + ".mp4";
            t.video.contentHash = key;
            t.tracks[0].category.name = label;
            auto id = (*store)->putTwin(t, 1, 0, label);
            QVERIFY(id.isOk());
            QVERIFY(embedTwin(**store, t, *id, encoder->get()).isOk());
        };
        put("a", "bear");
        put("b", "horse");
        put("c", "car");
        AlignedCoarseSearch search(**encoder);
        CancelToken cancel;
        SubQuery horse;
        horse.text = "horse";
        auto hits = search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel);
        QVERIFY2(hits.isOk(), hits.message().c_str());
        QCOMPARE(hits->size(), size_t{3});
        QCOMPARE(search.loads(), 1);
        // The store path agrees with an index built from the same component texts in memory.
        ComponentIndex::Builder builder((*encoder)->dimensions());
        for (const VideoRow &r : (*store)->videos())
            for (const Component &c : (*store)->components(r.id)) {
                const auto v = (*encoder)->encode(Tower::Component, c.text);
                builder.add(r.id, c.id, c.weight, v.data(), (*encoder)->dimensions());
            }
        const auto memory = builder.finish()->search({search.embed(horse)}, 10, Aggregation::WeightedMean, cancel);
        QCOMPARE(memory.size(), hits->size());
        for (size_t i = 0; i < memory.size(); ++i) {
            QCOMPARE(memory[i].videoId, (*hits)[i].videoId);
            QVERIFY(std::fabs(memory[i].score - (*hits)[i].score) < 1e-5);
        }
        QVERIFY(!(*hits)[0].key.empty());

        QVERIFY(search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel).isOk());
        QCOMPARE(search.loads(), 1); // unchanged library: no reload
        put("d", "dog");
        hits = search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel);
        QCOMPARE(hits->size(), size_t{4});
        QCOMPARE(search.loads(), 2);
        QVERIFY((*store)->removeVideo("a").isOk());
        hits = search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel);
        QCOMPARE(hits->size(), size_t{3});
        QCOMPARE(search.loads(), 3);
        // Removing one video and adding another reuses ids; the signature still sees the change.
        QVERIFY((*store)->removeVideo("d").isOk());
        QTest::qWait(5); // ingest times have millisecond resolution; real ingests are seconds apart
        put("e", "cat");
        hits = search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel);
        QCOMPARE(search.loads(), 4);
        bool sawE = false;
        for (const CoarseHit &h : *hits)
            sawE = sawE || h.key == "e";
        QVERIFY(sawE);
        // A write by another connection (another process ingesting) is seen too.
        {
            auto other = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
            QVERIFY(other.isOk());
            QVERIFY((*other)->removeVideo("b").isOk());
        }
        hits = search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel);
        QCOMPARE(search.loads(), 5);
        QCOMPARE(hits->size(), size_t{2});
        // A video stored without embeddings (ingested without the hook) is embedded on the next search.
        {
            Twin t = test::sampleTwin();
            t.video.key = "unhooked";
            t.video.path = "/videos/unhooked.mp4";
            t.video.contentHash = "unhooked";
            QVERIFY((*store)->putTwin(t, 1, 0, "").isOk());
        }
        hits = search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel);
        QCOMPARE(hits->size(), size_t{3});
        QCOMPARE(QString::fromStdString((*store)->videoByKey("unhooked")->encoderVersion),
                 QString::fromStdString((*encoder)->version()));
        QCOMPARE(search.loads(), 6);
        // Writes that leave the embeddings alone recompute the signature but do not reload.
        QVERIFY((*store)->saveQuery("horse", "{}", {}, {}).isOk());
        QVERIFY(search.search(**store, {horse}, 10, Aggregation::WeightedMean, cancel).isOk());
        QCOMPARE(search.loads(), 6);
    }

    void reembedTouchesOnlyStaleVideos()
    {
        QTemporaryDir dir;
        auto store = TwinStore::open(dir.filePath("lib.sqlite").toStdString());
        QVERIFY(store.isOk());
        auto vectors = tinyVectors();
        auto current = TextEncoder::fromWeights(randomWeights(31), vectors.get(), nullptr);
        auto old = TextEncoder::fromWeights(randomWeights(32), vectors.get(), nullptr);
        QVERIFY(current.isOk() && old.isOk());
        QVERIFY((*current)->version() != (*old)->version());
        std::map<std::string, std::string> twinJson;
        for (const char *key : {"one", "two", "three"}) {
            Twin t = test::sampleTwin();
            t.video.key = key;
            t.video.path = std::string("/videos/") + key + ".mp4";
            t.video.contentHash = key;
            auto id = (*store)->putTwin(t, 1, 0, key);
            QVERIFY(id.isOk());
            const TextEncoder *enc = std::string(key) == "two" ? old->get() : current->get();
            QVERIFY(embedTwin(**store, t, *id, enc).isOk());
            twinJson[key] = toJsonText(*(*store)->loadTwin(key));
        }
        auto componentIds = [&](const std::string &key) {
            std::vector<int64_t> ids;
            for (const Component &c : (*store)->components((*store)->videoByKey(key)->id))
                ids.push_back(c.id);
            return ids;
        };
        const auto oneBefore = componentIds("one"), twoBefore = componentIds("two"),
                   threeBefore = componentIds("three");
        QCOMPARE(QString::fromStdString((*store)->videoByKey("two")->encoderVersion),
                 QString::fromStdString((*old)->version()));

        CancelToken cancel;
        const EmbedSummary s = embedLibrary(**store, **current, EmbedScope::Stale, cancel, {});
        QCOMPARE(s.embedded, std::vector<std::string>{"two"});
        QCOMPARE(s.upToDate, 2);
        QVERIFY(s.failures.empty());
        QCOMPARE(componentIds("one"), oneBefore);
        QCOMPARE(componentIds("three"), threeBefore);
        QVERIFY(componentIds("two") != twoBefore);
        QCOMPARE(QString::fromStdString((*store)->videoByKey("two")->encoderVersion),
                 QString::fromStdString((*current)->version()));
        for (const auto &[key, json] : twinJson)
            QCOMPARE(toJsonText(*(*store)->loadTwin(key)), json); // twins untouched
        QCOMPARE((*store)->embeddings((*old)->version()).size(), size_t{0});

        const EmbedSummary again = embedLibrary(**store, **current, EmbedScope::Stale, cancel, {});
        QVERIFY(again.embedded.empty());
        QCOMPARE(again.upToDate, 3);
        const EmbedSummary all = embedLibrary(**store, **current, EmbedScope::All, cancel, {});
        QCOMPARE(all.embedded.size(), size_t{3});
    }
};

QTEST_GUILESS_MAIN(TestAlign)
#include "tst_align.moc"
