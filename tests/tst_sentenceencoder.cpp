// The pretrained sentence encoder of the coarse stage: BERT's uncased WordPiece tokenizer on a vocabulary the test
// writes; the real all-MiniLM-L6-v2 of the model cache against reference token ids and embedding values computed
// by an independent implementation (Hugging Face `tokenizers` + a NumPy forward pass of the same safetensors);
// damaged weight files refused with a message; and the features and aligner weights that depend on the encoder.
#include "align/sentenceencoder.h"
#include "align/textencoder.h"
#include "align/textfeatures.h"
#include "services.h"
#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>

using namespace ts;

namespace {

float dot(const std::vector<float> &a, const std::vector<float> &b)
{
    float s = 0.f;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        s += a[i] * b[i];
    return s;
}

std::string join(const std::vector<std::string> &v)
{
    std::string out;
    for (const std::string &s : v)
        out += (out.empty() ? "" : " ") + s;
    return out;
}

} // namespace

class TestSentenceEncoder : public QObject {
    Q_OBJECT

private:
    Services m_services;
    const SentenceEncoder *m_encoder = nullptr;

    void requireModel()
    {
        if (!m_encoder)
            TS_MISSING("the sentence encoder minilm_l6_v2 is not in the model cache (run scripts/setup.sh)");
    }

private slots:
    void initTestCase() { m_encoder = m_services.sentenceEncoder(); }

    void tokenizer_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("pieces");
        QTest::newRow("lower-case") << "The Dog RUNS" << "the dog runs";
        QTest::newRow("word pieces") << "unaffable dogs" << "un ##aff ##able dog ##s";
        QTest::newRow("punctuation splits") << "dog,cat!(red)" << "dog , cat ! ( red )";
        QTest::newRow("ascii symbols") << "a$b^c" << "a $ b ^ c";
        QTest::newRow("accents stripped") << "Café NAÏVE" << "cafe naive";
        QTest::newRow("unknown word") << "dog qzx" << "dog [UNK]";
        QTest::newRow("piece without a continuation") << "runsq" << "[UNK]";
        QTest::newRow("cjk one per char") << "dog犬猫" << "dog [UNK] [UNK]";
        QTest::newRow("control and tabs") << "dog\tcat\x01\n" << "dog cat";
        QTest::newRow("empty") << "" << "";
    }

    void tokenizer()
    {
        QFETCH(QString, text);
        QFETCH(QString, pieces);
        auto t = WordPieceTokenizer::fromLines({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "dog", "runs", "un",
                                                "##aff", "##able", "##s", ",", "cat", "!", "(", ")", "red", "a", "$",
                                                "b", "^", "c", "cafe", "naive", "run"});
        QVERIFY2(t.isOk(), t.message().c_str());
        QCOMPARE(QString::fromStdString(join(t->pieces(text.toStdString()))), pieces);
    }

    void encodeAddsMarkersAndCuts()
    {
        auto t = WordPieceTokenizer::fromLines({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "dog"});
        QVERIFY(t.isOk());
        QCOMPARE(t->encode("dog dog", 16), (std::vector<int32_t>{2, 4, 4, 3}));
        QCOMPARE(t->encode("dog dog dog dog", 4), (std::vector<int32_t>{2, 4, 4, 3}));
        QCOMPARE(t->encode("", 4), (std::vector<int32_t>{2, 3}));
    }

    void vocabularyWithoutSpecialTokensIsRefused()
    {
        auto t = WordPieceTokenizer::fromLines({"dog", "cat"});
        QVERIFY(!t.isOk());
        QVERIFY(QString::fromStdString(t.message()).contains("[UNK]"));
    }

    // Ids from Hugging Face `tokenizers` (tokenizer.json of the same wheel); values from a NumPy float64 forward.
    void matchesReference_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QVector<int>>("ids");
        QTest::addColumn<QVector<double>>("head");
        QTest::newRow("sentence") << "A brown bear walks by the river."
                                  << QVector<int>{101, 1037, 2829, 4562, 7365, 2011, 1996, 2314, 1012, 102}
                                  << QVector<double>{0.04414, 0.04295, 0.02584, 0.03541, 0.05068, 0.00661};
        QTest::newRow("accents") << "Crème brûlée, naïve café!"
                                 << QVector<int>{101, 13675, 21382, 7987, 9307, 2063, 1010, 15743, 7668, 999, 102}
                                 << QVector<double>{0.03824, -0.04078, -0.00999, 0.00417, -0.01771, -0.01042};
        QTest::newRow("word pieces") << "unaffable" << QVector<int>{101, 14477, 20961, 3468, 102}
                                     << QVector<double>{-0.01654, -0.01224, -0.08533, 0.09011, 0.04232, -0.07004};
    }

    void matchesReference()
    {
        requireModel();
        QFETCH(QString, text);
        QFETCH(QVector<int>, ids);
        QFETCH(QVector<double>, head);
        const std::vector<int32_t> got = m_encoder->tokenizer().encode(text.toStdString(), SentenceEncoder::kMaxTokens);
        QCOMPARE(QVector<int>(got.begin(), got.end()), ids);
        const std::vector<float> e = m_encoder->encode(text.toStdString());
        QCOMPARE(static_cast<int>(e.size()), 384);
        QVERIFY(std::fabs(dot(e, e) - 1.f) < 1e-4f);
        for (int i = 0; i < head.size(); ++i)
            QVERIFY2(std::fabs(e[static_cast<size_t>(i)] - head[i]) < 2e-4,
                     qPrintable(QString("dim %1: %2 vs %3").arg(i).arg(e[static_cast<size_t>(i)]).arg(head[i])));
    }

    void batchEqualsOneByOne()
    {
        requireModel();
        const std::vector<std::string> texts = {"a couch", "a person lying on a sofa in a living room", "", "dog"};
        std::vector<float> batch(texts.size() * 384);
        m_encoder->encode(texts, batch.data());
        for (size_t i = 0; i < texts.size(); ++i) {
            const std::vector<float> one = m_encoder->encode(texts[i]);
            for (size_t d = 0; d < one.size(); ++d)
                QVERIFY(std::fabs(one[d] - batch[i * 384 + d]) < 1e-5f);
        }
    }

    // What the word-vector slots cannot do: synonyms with no shared word, and a description of a thing's use.
    void meaningBeatsSpelling()
    {
        requireModel();
        const auto sofa = m_encoder->encode("a sofa");
        QVERIFY(dot(sofa, m_encoder->encode("a couch")) > dot(sofa, m_encoder->encode("a bicycle")) + 0.1f);
        const auto bed = m_encoder->encode("a bed");
        const auto lie = m_encoder->encode("furniture to sleep on");
        QVERIFY(dot(lie, bed) > dot(lie, m_encoder->encode("a traffic light")));
        QVERIFY(dot(lie, bed) > dot(lie, m_encoder->encode("a kite")));
    }

    void damagedWeightsAreRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "empty" << "too short";
        QTest::newRow("header length too big") << "length" << "does not fit";
        QTest::newRow("header not json") << "json" << "not a JSON object";
        QTest::newRow("tensors missing") << "no-tensors" << "not the weights of a BERT encoder";
    }

    void damagedWeightsAreRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string vocab = dir.filePath("vocab.txt").toStdString();
        std::ofstream(vocab) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\ndog\n";
        const std::string path = dir.filePath("model.safetensors").toStdString();
        std::ofstream out(path, std::ios::binary);
        auto writeHeader = [&out](const std::string &header, uint64_t declared) {
            out.write(reinterpret_cast<const char *>(&declared), 8);
            out << header;
        };
        const std::string header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        if (damage == "length")
            writeHeader(header, 1u << 20);
        else if (damage == "json")
            writeHeader("[1, 2, 3]", 9);
        else if (damage == "no-tensors") {
            writeHeader(header, header.size());
            out << std::string(8, '\0');
        }
        out.close();
        auto loaded = SentenceEncoder::load(path, vocab);
        QVERIFY(!loaded.isOk());
        QVERIFY2(QString::fromStdString(loaded.message()).contains(message), loaded.message().c_str());
    }

    void featuresAppendTheSentenceEmbedding()
    {
        requireModel();
        const WordVectors *vectors = m_services.wordVectors();
        if (!vectors)
            TS_MISSING("GloVe vectors are not in the model cache (run scripts/setup.sh)");
        TextFeaturizer plain(vectors, nullptr);
        TextFeaturizer withSentence(vectors, nullptr, m_encoder);
        QCOMPARE(withSentence.dimensions(), plain.dimensions() + 384);
        QCOMPARE(QString::fromStdString(TextFeaturizer::sentenceIdentity(plain.recipe())), QString());
        QCOMPARE(TextFeaturizer::sentenceIdentity(withSentence.recipe()), m_encoder->identity());

        const std::vector<std::string> texts = {"a brown dog on the left", "red car"};
        std::vector<float> batch(texts.size() * static_cast<size_t>(withSentence.dimensions()));
        withSentence.features(texts, batch.data());
        const size_t n = static_cast<size_t>(withSentence.dimensions());
        for (size_t i = 0; i < texts.size(); ++i) {
            const auto slotPart = plain.features(texts[i]);
            const auto sentence = m_encoder->encode(texts[i]);
            for (size_t d = 0; d < slotPart.size(); ++d)
                QCOMPARE(batch[i * n + d], slotPart[d]);
            for (size_t d = 0; d < sentence.size(); ++d)
                QVERIFY(std::fabs(batch[i * n + slotPart.size() + d] - sentence[d]) < 1e-5f);
        }
    }

    void alignerNeedsItsSentenceEncoder()
    {
        requireModel();
        const WordVectors *vectors = m_services.wordVectors();
        if (!vectors)
            TS_MISSING("GloVe vectors are not in the model cache (run scripts/setup.sh)");
        const int in = TextFeaturizer(vectors, nullptr, m_encoder).dimensions();
        AlignerWeights w;
        w.featureRecipe = TextFeaturizer(vectors, nullptr, m_encoder).recipe();
        w.wordDim = vectors->dimensions();
        for (TowerWeights *t : {&w.query, &w.component}) {
            t->inputDim = in;
            t->hiddenDim = 4;
            t->outputDim = 3;
            t->w1.assign(static_cast<size_t>(4 * in), 0.01f);
            t->b1.assign(4, 0.f);
            t->w2.assign(12, 0.1f);
            t->b2.assign(3, 0.f);
            t->ws.assign(static_cast<size_t>(3 * in), 0.001f);
        }
        auto without = TextEncoder::fromWeights(w, vectors, nullptr, nullptr);
        QVERIFY(!without.isOk());
        QVERIFY2(QString::fromStdString(without.message()).contains("not installed"), without.message().c_str());
        auto with = TextEncoder::fromWeights(w, vectors, nullptr, m_encoder);
        QVERIFY2(with.isOk(), with.message().c_str());
        QCOMPARE(static_cast<int>((*with)->encode(Tower::Query, "a dog").size()), 3);

        AlignerWeights other = w;
        other.featureRecipe = std::string(TextFeaturizer::kRecipe) + TextFeaturizer::kSentenceTag + "bert-l6-h384:00000000";
        auto mismatch = TextEncoder::fromWeights(other, vectors, nullptr, m_encoder);
        QVERIFY(!mismatch.isOk());
        QVERIFY2(QString::fromStdString(mismatch.message()).contains("the installed one is"), mismatch.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestSentenceEncoder)
#include "tst_sentenceencoder.moc"
