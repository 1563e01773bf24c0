// JSON Schema -> GBNF for constrained decoding: the reply schemas of the LLM roles convert, properties come in the
// order of "required" (the reasoning before the score), enums and bounds reach the grammar, and what the grammar
// cannot express is an error naming where, never a silently looser grammar.
#include "llm/gbnf.h"
#include "llm/jsonschema.h"
#include "reason/llmreasoner.h"
#include "testsupport.h"

#include <QTest>

using namespace ts;
using nlohmann::json;

class TestGbnf : public QObject {
    Q_OBJECT

private slots:
    void roleSchemasConvert_data()
    {
        QTest::addColumn<QString>("role");
        QTest::newRow("decompose") << "decompose";
        QTest::newRow("reason") << "reason";
        QTest::newRow("decompose-compact") << "decompose-compact";
    }

    void roleSchemasConvert()
    {
        QFETCH(QString, role);
        const json schema = role == "decompose"           ? LlmDecomposer::outputSchema()
                            : role == "decompose-compact" ? LlmDecomposer::outputSchema(DecompositionFormat::Compact)
                                                          : LlmReasoner::outputSchema(3);
        auto g = jsonSchemaToGbnf(schema);
        QVERIFY2(g.isOk(), g.message().c_str());
        const QString text = QString::fromStdString(*g);
        QVERIFY(text.startsWith("root ::= "));
        QVERIFY(text.contains("ws ::= "));
        QVERIFY(text.contains("char ::= "));
        if (role == "decompose-compact") {
            QVERIFY(text.contains("\"\\\"q\\\"\""));
            QVERIFY(text.contains("{0,3}")); // at most 4 conditions: one, then up to three more
        } else if (role == "decompose") {
            QVERIFY(text.contains("\"\\\"object\\\"\""));
            QVERIFY(text.contains("\"\\\"temporal\\\"\""));
        } else {
            // The reasoning is written before the relevance score.
            const int reasoning = text.indexOf("\"\\\"reasoning\\\"\"");
            const int relevance = text.indexOf("\"\\\"relevance\\\"\"");
            QVERIFY(reasoning >= 0 && relevance > reasoning);
            // At most three gaps: one item, then at most two more.
            QVERIFY(text.contains("{0,2}"));
        }
    }

    void boundsAndTypes()
    {
        const json schema = {{"type", "object"},
                             {"properties",
                              {{"score", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                               {"count", {{"type", "integer"}, {"minimum", 0}}},
                               {"delta", {{"type", "integer"}}},
                               {"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 20}}},
                               {"flag", {{"type", "boolean"}}},
                               {"maybe", {{"type", {"string", "null"}}}},
                               {"tags", {{"type", "array"}, {"minItems", 2}, {"maxItems", 4}, {"items", {{"type", "string"}}}}},
                               {"optional", {{"type", "string"}}}}},
                             {"required", {"score", "count", "delta", "name", "flag", "maybe", "tags"}},
                             {"additionalProperties", false}};
        auto g = jsonSchemaToGbnf(schema);
        QVERIFY2(g.isOk(), g.message().c_str());
        const QString text = QString::fromStdString(*g);
        QVERIFY(text.contains("char{1,20}"));         // string length
        QVERIFY(text.contains("\"\\\"null\\\"\"") || text.contains("\"null\""));
        QVERIFY(text.contains("{1,3}"));              // two to four tags: one, then one to three more
        QVERIFY(!text.contains("optional"));          // optional properties are never generated
        QVERIFY(text.contains("\"-\"?"));            // a signed integer for delta
        QVERIFY(text.contains("\"0\" (\".\" [0-9]{1,3})? | \"1\"")); // the 0..1 score form
    }

    void refusesWhatItCannotExpress_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<QString>("expected");
        QTest::newRow("reversed item bounds") << "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":5,\"maxItems\":3}"
                                              << "minItems";
        QTest::newRow("reversed length bounds") << "{\"type\":\"string\",\"minLength\":9,\"maxLength\":2}" << "minLength";
        QTest::newRow("unsupported keyword") << "{\"type\":\"string\",\"pattern\":\"a+\"}" << "pattern";
        QTest::newRow("required without schema")
            << "{\"type\":\"object\",\"properties\":{},\"required\":[\"x\"]}" << "'x'";
        QTest::newRow("array without items") << "{\"type\":\"array\"}" << "items";
        QTest::newRow("no type") << "{\"properties\":{}}" << "no type";
    }

    void refusesWhatItCannotExpress()
    {
        QFETCH(QString, schema);
        QFETCH(QString, expected);
        auto g = jsonSchemaToGbnf(json::parse(schema.toStdString()));
        QVERIFY(!g.isOk());
        QVERIFY2(QString::fromStdString(g.message()).contains(expected), g.message().c_str());
    }

    void compactDecompositionReads()
    {
        const json reply = json::parse("{\"thing\":[\"penguin\"],\"q\":[{\"k\":\"object\",\"t\":\"penguin\",\"n\":false,\"c\":[\"penguin\",\"bird\"]},"
                                       "{\"k\":\"attribute\",\"t\":\"no snow\",\"n\":true,\"c\":[]}]}");
        QVERIFY(validateJson(LlmDecomposer::outputSchema(DecompositionFormat::Compact), reply).isOk());
        auto subs = LlmDecomposer::interpret(reply);
        QVERIFY2(subs.isOk(), subs.message().c_str());
        QCOMPARE(subs->size(), size_t(2));
        QCOMPARE(QString::fromStdString((*subs)[0].text), QString("penguin"));
        QCOMPARE((*subs)[0].concepts.size(), size_t(2));
        QVERIFY((*subs)[1].negated);
        QCOMPARE((*subs)[1].kind, SubQueryKind::Attribute);
        QCOMPARE((*subs)[0].weight, 1.f);
    }

    // The referent named in "thing" leads the main object condition's concepts, or becomes that condition.
    void compactThingLeadsTheConcepts_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("mainText");
        QTest::addColumn<QString>("mainConcepts");
        QTest::newRow("merged without repeats")
            << "{\"thing\":[\"sofa\",\"couch\"],\"q\":[{\"k\":\"object\",\"t\":\"seat\",\"n\":false,\"c\":[\"couch\",\"seat\"]}]}"
            << 1 << "seat" << "sofa couch seat";
        QTest::newRow("negated object is not the main one")
            << "{\"thing\":[\"kite\"],\"q\":[{\"k\":\"object\",\"t\":\"person\",\"n\":true,\"c\":[\"person\"]},"
               "{\"k\":\"object\",\"t\":\"flying toy\",\"n\":false,\"c\":[]}]}"
            << 2 << "flying toy" << "kite";
        QTest::newRow("no object condition: one is made")
            << "{\"thing\":[\"ladder\"],\"q\":[{\"k\":\"attribute\",\"t\":\"tall\",\"n\":false,\"c\":[]}]}"
            << 2 << "ladder" << "ladder";
    }

    void compactThingLeadsTheConcepts()
    {
        QFETCH(QString, reply);
        QFETCH(int, count);
        QFETCH(QString, mainText);
        QFETCH(QString, mainConcepts);
        const json j = json::parse(reply.toStdString());
        QVERIFY(validateJson(LlmDecomposer::outputSchema(DecompositionFormat::Compact), j).isOk());
        auto subs = LlmDecomposer::interpret(j);
        QVERIFY2(subs.isOk(), subs.message().c_str());
        QCOMPARE(static_cast<int>(subs->size()), count);
        const auto main = std::find_if(subs->begin(), subs->end(),
                                       [](const SubQuery &q) { return q.kind == SubQueryKind::Object && !q.negated; });
        QVERIFY(main != subs->end());
        QCOMPARE(QString::fromStdString(main->text), mainText);
        QStringList concepts;
        for (const std::string &c : main->concepts)
            concepts << QString::fromStdString(c);
        QCOMPARE(concepts.join(' '), mainConcepts);
    }

    // The worked examples shown to small models must themselves be answers the grammar allows.
    void fewShotExamplesAreSchemaValid()
    {
        const auto messages = LlmDecomposer::fewShotMessages(DecompositionFormat::Compact);
        QVERIFY(messages.size() >= 4);
        QVERIFY(LlmDecomposer::fewShotMessages(DecompositionFormat::Full).empty());
        const json schema = LlmDecomposer::outputSchema(DecompositionFormat::Compact);
        for (size_t i = 0; i < messages.size(); ++i) {
            QCOMPARE(messages[i].role, i % 2 ? LlmMessageRole::Assistant : LlmMessageRole::User);
            if (messages[i].role != LlmMessageRole::Assistant)
                continue;
            const json answer = json::parse(messages[i].text, nullptr, false);
            QVERIFY2(!answer.is_discarded(), messages[i].text.c_str());
            Status valid = validateJson(schema, answer);
            QVERIFY2(valid.isOk(), valid.message().c_str());
            QVERIFY(LlmDecomposer::interpret(answer).isOk());
        }
    }

    void positiveIntegersStartAtOne()
    {
        auto g = jsonSchemaToGbnf(json{{"type", "integer"}, {"minimum", 1}});
        QVERIFY2(g.isOk(), g.message().c_str());
        QVERIFY2(g->find("[1-9] [0-9]{0,15}") != std::string::npos, g->c_str());
        QVERIFY(g->find("\"-\"") == std::string::npos);
    }

    void literalsAreEscaped()
    {
        const json schema = {{"enum", {"say \"hi\"", "back\\slash"}}};
        auto g = jsonSchemaToGbnf(schema);
        QVERIFY2(g.isOk(), g.message().c_str());
        QVERIFY2(g->find("\"\\\"say \\\\\\\"hi\\\\\\\"\\\"\"") != std::string::npos, g->c_str());
    }
};

QTEST_GUILESS_MAIN(TestGbnf)
#include "tst_gbnf.moc"
