// WordNet from Debian's wordnet-base: lookup with morphology, relations, similarity.
#include "testsupport.h"
#include "knowledge/wordnet.h"
#include "wordnetfixture.h"

#include <QTest>

using namespace ts;

class TestWordNet : public QObject {
    Q_OBJECT
    std::unique_ptr<WordNet> m_wn;

private slots:
    void initTestCase()
    {
        TS_LOAD_WORDNET(m_wn);
        QVERIFY(m_wn->synsetCount() > 100000);
    }

    void morphology_data()
    {
        QTest::addColumn<QString>("word");
        QTest::addColumn<int>("pos");
        QTest::addColumn<QString>("base");
        QTest::newRow("plural") << "bears" << int(WnPos::Noun) << "bear";
        QTest::newRow("irregular") << "geese" << int(WnPos::Noun) << "goose";
        QTest::newRow("ies") << "ponies" << int(WnPos::Noun) << "pony";
        QTest::newRow("ing doubled") << "running" << int(WnPos::Verb) << "run";
        QTest::newRow("ed") << "hibernated" << int(WnPos::Verb) << "hibernate";
        QTest::newRow("compound") << "teddy bear" << int(WnPos::Noun) << "teddy bear";
    }
    void morphology()
    {
        QFETCH(QString, word);
        QFETCH(int, pos);
        QFETCH(QString, base);
        const auto forms = m_wn->baseForms(word.toStdString(), static_cast<WnPos>(pos));
        QVERIFY(std::find(forms.begin(), forms.end(), base.toStdString()) != forms.end());
    }

    void hierarchy()
    {
        const SynsetId brownBear = m_wn->fromKey("n02132136");
        QVERIFY(brownBear);
        QCOMPARE(WordNet::key(brownBear), std::string("n02132136"));
        QVERIFY(m_wn->synset(brownBear)->gloss.find("bear") != std::string::npos);
        const SynsetId bear = m_wn->lookup("bear", WnPos::Noun).front();
        QVERIFY(m_wn->isA(brownBear, bear));
        QVERIFY(!m_wn->isA(bear, brownBear));
        const SynsetId carnivore = m_wn->lookup("carnivore", WnPos::Noun).front();
        QVERIFY(m_wn->isA(brownBear, carnivore));
        const SynsetId dog = m_wn->lookup("dog", WnPos::Noun).front();
        const SynsetId cat = m_wn->lookup("cat", WnPos::Noun).front();
        const SynsetId car = m_wn->lookup("car", WnPos::Noun).front();
        QVERIFY(m_wn->wuPalmer(dog, cat) > m_wn->wuPalmer(dog, car));
        QCOMPARE(m_wn->wuPalmer(dog, dog), 1.0);
        // Meronyms: a car has wheels... (part meronym of "car" includes "car wheel" or "accelerator").
        QVERIFY(!m_wn->related(car, WnRelation::PartMeronym).empty());
        QVERIFY(!m_wn->descendants(bear, 2).empty());
        QCOMPARE(m_wn->fromKey("n99999999"), SynsetId(0));
        QVERIFY(m_wn->lookup("qwertyuiop", WnPos::Noun).empty());
    }
};

QTEST_GUILESS_MAIN(TestWordNet)
#include "tst_wordnet.moc"
