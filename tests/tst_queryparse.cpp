// The built-in reasoner's query grammar: targets, describing clauses, colours, context, spatial and temporal
// patterns, numbers and negation, on query shapes (not on benchmark queries).
#include "testsupport.h"
#include "reason/builtinreasoner.h"
#include "reason/queryparse.h"
#include "wordnetfixture.h"

#include <QTest>

using namespace ts;

namespace {

std::string join(const std::vector<std::string> &v)
{
    std::string s;
    for (const auto &x : v)
        s += (s.empty() ? "" : ",") + x;
    return s;
}

} // namespace

class TestQueryParse : public QObject {
    Q_OBJECT
    std::unique_ptr<WordNet> m_wn;
    std::unique_ptr<Lexicon> m_lex;

private slots:
    void initTestCase()
    {
        TS_LOAD_WORDNET(m_wn);
        m_lex = std::make_unique<Lexicon>(m_wn.get(), nullptr);
    }

    void targets_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("head");
        QTest::addColumn<bool>("person");
        QTest::addColumn<bool>("vague");
        QTest::newRow("explicit") << "a grey cat sleeping on a sofa" << "cat" << false << false;
        QTest::newRow("collocation") << "a teddy bear lying on a bed" << "teddy bear" << false << false;
        QTest::newRow("someone") << "someone climbing a ladder" << "person" << true << false;
        QTest::newRow("person noun") << "a woman carrying a basket" << "woman" << true << false;
        QTest::newRow("group of persons") << "people crossing a street" << "people" << true << false;
        QTest::newRow("vague thing") << "something you would sit on in a garden" << "" << false << true;
        QTest::newRow("what") << "what a farmer uses to plough a field" << "" << false << true;
        QTest::newRow("possessor is not the target") << "a child's red kite over a beach" << "kite" << false << false;
        QTest::newRow("gerund after noun") << "a dog chasing a ball" << "dog" << false << false;
    }
    void targets()
    {
        QFETCH(QString, query);
        QFETCH(QString, head);
        QFETCH(bool, person);
        QFETCH(bool, vague);
        const QueryAnalysis a = parseQuery(query.toStdString(), *m_lex);
        QVERIFY(!a.targets.empty());
        const NounPhrase &t = a.phrases[static_cast<size_t>(a.targets.front())];
        if (!vague)
            QCOMPARE(QString::fromStdString(t.head), head);
        QCOMPARE(t.person, person);
        QCOMPARE(t.vague, vague);
    }

    void describingClause_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("mustDescribe"); // a lemma in the target's description
        QTest::addColumn<QString>("mustNotBeContext"); // a head that must not be looked for in the video
        QTest::addColumn<QString>("context"); // a head that must be looked for
        QTest::newRow("relative that") << "the insect that makes honey, crawling over a flower" << "honey" << "honey" << "flower";
        QTest::newRow("reduced you") << "the tool you'd cut wood with, lying on a bench" << "wood" << "wood" << "bench";
        QTest::newRow("vague with subject") << "something a sailor ties a boat to, on a quay" << "sailor" << "sailor" << "quay";
        QTest::newRow("past participle") << "the bird prized for its song, sitting on a wire" << "song" << "song" << "wire";
    }
    void describingClause()
    {
        QFETCH(QString, query);
        QFETCH(QString, mustDescribe);
        QFETCH(QString, mustNotBeContext);
        QFETCH(QString, context);
        const QueryAnalysis a = parseQuery(query.toStdString(), *m_lex);
        const NounPhrase &t = a.phrases[static_cast<size_t>(a.targets.front())];
        QVERIFY2(std::find(t.description.begin(), t.description.end(), mustDescribe.toStdString()) != t.description.end(),
                 join(t.description).c_str());
        bool sawContext = false;
        for (size_t i = 0; i < a.phrases.size(); ++i) {
            if (static_cast<int>(i) == a.targets.front())
                continue;
            QVERIFY2(a.phrases[i].head != mustNotBeContext.toStdString(), "knowledge taken for a thing to look for");
            sawContext = sawContext || a.phrases[i].head == context.toStdString();
        }
        QVERIFY(sawContext);
    }

    void coloursAndNegation()
    {
        auto a = parseQuery("the runner in the green vest, not the ones in red", *m_lex);
        const NounPhrase &t = a.phrases[static_cast<size_t>(a.targets.front())];
        QCOMPARE(join(t.colours), std::string("green"));
        QVERIFY(std::find(a.negatedWords.begin(), a.negatedWords.end(), "red") != a.negatedWords.end());

        a = parseQuery("a juggler on a stage with no audience at all", *m_lex);
        bool negatedAudience = false;
        for (const NounPhrase &p : a.phrases)
            negatedAudience = negatedAudience || (p.head == "audience" && p.negated);
        QVERIFY(negatedAudience);

        // A negated verb does not negate the scene it happens in.
        a = parseQuery("keeping a ball up on the grass, never using hands", *m_lex);
        for (const NounPhrase &p : a.phrases)
            if (p.head == "grass")
                QVERIFY(!p.negated);
        QVERIFY(std::find(a.negatedWords.begin(), a.negatedWords.end(), "use") != a.negatedWords.end());

        a = parseQuery("here a pale grey one", *m_lex); // shade words modify the colour
        for (const NounPhrase &p : a.phrases)
            QVERIFY(std::find(p.colours.begin(), p.colours.end(), "white") == p.colours.end());
    }

    void temporal_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("after");
        QTest::newRow("starts ends") << "a kite that starts out on the sand and ends up high in the sky" << int(TemporalKind::StartEnd) << "sky";
        QTest::newRow("ends up") << "a truck driving along a road that ends up filling the frame" << int(TemporalKind::EndsUp) << "frame";
        QTest::newRow("keeps") << "a cyclist who keeps pedalling past a stop sign" << int(TemporalKind::Keeps) << "pedal";
    }
    void temporal()
    {
        QFETCH(QString, query);
        QFETCH(int, kind);
        QFETCH(QString, after);
        const QueryAnalysis a = parseQuery(query.toStdString(), *m_lex);
        QVERIFY(!a.temporal.empty());
        QCOMPARE(int(a.temporal.front().kind), kind);
        QVERIFY2(std::find(a.temporal.front().after.begin(), a.temporal.front().after.end(), after.toStdString()) !=
                     a.temporal.front().after.end(),
                 join(a.temporal.front().after).c_str());
        // "the whole frame" of a temporal pattern is not a thing to find.
        for (const NounPhrase &p : a.phrases)
            QVERIFY(p.head != "frame");
    }

    void numbersAndSpatial()
    {
        auto a = parseQuery("rider number 17 on a quad bike in front of a barn, founded in 1998", *m_lex);
        QCOMPARE(join(a.numbers), std::string("17"));
        QCOMPARE(a.phrases[static_cast<size_t>(a.targets.front())].head, std::string("rider"));
        bool front = false, riding = false;
        for (const SpatialCue &c : a.spatial) {
            front = front || c.relation == "in front of";
            riding = riding || c.relation == "riding";
        }
        QVERIFY(front);
        QVERIFY(riding);
        a = parseQuery("two goats on a rock", *m_lex);
        QCOMPARE(a.phrases[static_cast<size_t>(a.targets.front())].count, 2);
    }

    void subQueries()
    {
        const QueryAnalysis a = parseQuery("the performer in the yellow dress by a fountain, with no crowd", *m_lex);
        const auto subs = BuiltinDecomposer::subQueriesOf(a);
        int objects = 0, attributes = 0, scenes = 0, negated = 0;
        for (const SubQuery &s : subs) {
            objects += s.kind == SubQueryKind::Object && !s.negated;
            attributes += s.kind == SubQueryKind::Attribute;
            scenes += s.kind == SubQueryKind::Scene;
            negated += s.negated;
        }
        QCOMPARE(objects, 1);
        QCOMPARE(attributes, 1);
        QVERIFY(scenes >= 1);
        QCOMPARE(negated, 1);
    }
};

QTEST_GUILESS_MAIN(TestQueryParse)
#include "tst_queryparse.moc"
