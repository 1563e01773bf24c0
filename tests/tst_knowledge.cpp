// Text handling, word vectors (file format, similarity) and the lexicon's concept profiles.
#include "testsupport.h"
#include "knowledge/lexicon.h"
#include "knowledge/text.h"
#include "knowledge/wordvectors.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

using namespace ts;

namespace {

// Writes a word-vector file in the format of scripts/derive_glove.py.
bool writeVectors(const std::string &path, const std::vector<std::string> &words, const std::vector<std::vector<float>> &vecs,
                  size_t truncateTo = 0)
{
    std::string bytes = "TSWVEC1\n";
    auto put32 = [&bytes](uint32_t v) { bytes.append(reinterpret_cast<const char *>(&v), 4); };
    put32(static_cast<uint32_t>(words.size()));
    put32(static_cast<uint32_t>(vecs.front().size()));
    for (const auto &w : words) {
        const uint16_t n = static_cast<uint16_t>(w.size());
        bytes.append(reinterpret_cast<const char *>(&n), 2);
        bytes += w;
    }
    while (bytes.size() % 4)
        bytes += '\0';
    for (const auto &v : vecs) {
        float norm = 0;
        for (float x : v)
            norm += x * x;
        norm = std::sqrt(norm);
        for (float x : v) {
            const float y = x / norm;
            bytes.append(reinterpret_cast<const char *>(&y), 4);
        }
    }
    if (truncateTo)
        bytes.resize(truncateTo);
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    return bool(out);
}

} // namespace

class TestKnowledge : public QObject {
    Q_OBJECT
    std::unique_ptr<WordNet> m_wn;

private slots:
    void initTestCase()
    {
        const std::string dir = WordNet::defaultDirectory();
        if (!dir.empty()) {
            auto wn = WordNet::load(dir);
            QVERIFY2(wn.isOk(), wn.message().c_str());
            m_wn = std::move(wn).value();
        }
    }

    void tokenizing_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("tokens");
        QTest::newRow("compound split") << "A red-and-white wing" << "a red and white wing";
        QTest::newRow("possessive") << "someone's hand" << "someone 's hand";
        QTest::newRow("contraction") << "you'd wait, they'll go" << "you would wait , they will go";
        QTest::newRow("negation") << "don't stop" << "do not stop";
        QTest::newRow("number") << "rider number 205." << "rider number 205 .";
    }
    void tokenizing()
    {
        QFETCH(QString, text);
        QFETCH(QString, tokens);
        std::string joined;
        for (const Token &t : tokenize(text.toStdString()))
            joined += (joined.empty() ? "" : " ") + t.text;
        QCOMPARE(QString::fromStdString(joined), tokens);
    }

    void wordClasses()
    {
        QCOMPARE(classifyWord("the"), WordClass::Determiner);
        QCOMPARE(classifyWord("that"), WordClass::Relative);
        QCOMPARE(classifyWord("without"), WordClass::Negator);
        QCOMPARE(classifyWord("behind"), WordClass::Preposition);
        QCOMPARE(classifyWord("3"), WordClass::Number);
        QCOMPARE(classifyWord("bear"), WordClass::Content);
        QCOMPARE(canonicalColour("gray"), std::string("grey"));
        QCOMPARE(canonicalColour("bear"), std::string());
        QCOMPARE(numberValue("two"), 2);
        QCOMPARE(numberValue("205"), 205);
        QVERIFY(colourSimilarity("pink", "black") == 0.f);
        QVERIFY(colourSimilarity("blue", "navy") > 0.5f);
        QCOMPARE(colourSimilarity("red", "red"), 1.f);
    }

    void vectorFile()
    {
        QTemporaryDir dir;
        const std::string good = dir.filePath("v.tsvec").toStdString();
        QVERIFY(writeVectors(good, {"cat", "dog", "car"}, {{1, 0.2f, 0}, {0.9f, 0.3f, 0}, {0, 0, 1}}));
        auto wv = WordVectors::load(good);
        QVERIFY2(wv.isOk(), wv.message().c_str());
        QCOMPARE((*wv)->size(), 3);
        QCOMPARE((*wv)->dimensions(), 3);
        QVERIFY((*wv)->similarity("cat", "dog") > 0.9f);
        QVERIFY(std::abs((*wv)->similarity("cat", "car")) < 0.05f);
        QCOMPARE((*wv)->similarity("cat", "unknown"), 0.f);
        QVERIFY((*wv)->specificity(0) < (*wv)->specificity(2)); // later = rarer
        const auto near = (*wv)->nearest((*wv)->vector(0), 2);
        QCOMPARE(near.size(), size_t(2));
        QCOMPARE((*wv)->word(near[1].first), std::string("dog"));
    }

    void brokenVectorFiles_data()
    {
        QTest::addColumn<int>("truncate");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated vectors") << 60 << "wrong size";
        QTest::newRow("truncated words") << 22 << "truncated word list";
        QTest::newRow("too short") << 10 << "too short";
    }
    void brokenVectorFiles()
    {
        QFETCH(int, truncate);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.tsvec").toStdString();
        QVERIFY(writeVectors(path, {"cat", "dog", "car"}, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, static_cast<size_t>(truncate)));
        auto wv = WordVectors::load(path);
        QVERIFY(!wv);
        QVERIFY2(QString::fromStdString(wv.message()).contains(message), wv.message().c_str());
        QVERIFY(!WordVectors::load(dir.filePath("missing").toStdString()));
        QFile junk(dir.filePath("junk"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a vector file at all, just text");
        junk.close();
        auto j = WordVectors::load(junk.fileName().toStdString());
        QVERIFY(!j);
        QVERIFY(QString::fromStdString(j.message()).contains("bad magic"));
    }

    void profiles()
    {
        if (!m_wn)
            TS_MISSING("wordnet-base is not installed");
        // A tiny vector table: enough to show that a gloss word matches exactly and unknown words do not.
        auto wv = WordVectors::fromTable({"pink", "bird", "horn", "car"},
                                         {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
        Lexicon lex(m_wn.get(), wv.get());
        const SynsetId flamingo = m_wn->lookup("flamingo", WnPos::Noun).front();
        const SynsetId swan = m_wn->lookup("black swan", WnPos::Noun).front();
        const SynsetId rhino = m_wn->lookup("rhinoceros", WnPos::Noun).front();
        // The gloss of flamingo says "pink"; black swan's name says "black": colours match by name only.
        QVERIFY(lex.profileMatch("pink", flamingo) >= 0.6f);
        QVERIFY(lex.profileMatch("pink", swan) < lex.profileMatch("pink", flamingo)); // its gloss has a red bill
        QCOMPARE(lex.profileMatch("green", swan), 0.f);
        // "horns" (inflected) meets "horns" in the rhinoceros gloss through its lemma.
        QVERIFY(lex.profileMatch("horns", rhino) >= 0.6f);
        QVERIFY(lex.profileMatch("horn", flamingo) < 0.3f);
        // Hypernyms are in the profile: a flamingo is a bird.
        QVERIFY(lex.profileMatch("bird", flamingo) >= 0.5f);
        QVERIFY(lex.isKindOf(flamingo, "bird"));
        QVERIFY(!lex.isKindOf(m_wn->lookup("teddy bear", WnPos::Noun).front(), "animal"));
        QCOMPARE(lex.lemma("geese", WnPos::Noun), std::string("goose"));
        // A word that only names groups stands for its members; one with an object sense does not.
        const SynsetId person = m_wn->lookup("person", WnPos::Noun).front();
        const auto members = lex.groupMembers(m_wn->lookup("people", WnPos::Noun));
        QVERIFY(std::find(members.begin(), members.end(), person) != members.end());
        QVERIFY(lex.groupMembers(m_wn->lookup("board", WnPos::Noun)).empty());
        QVERIFY(lex.groupMembers(m_wn->lookup("flamingo", WnPos::Noun)).empty());
    }
};

QTEST_GUILESS_MAIN(TestKnowledge)
#include "tst_knowledge.moc"
