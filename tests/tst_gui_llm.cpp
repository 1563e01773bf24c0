// The window over the embedded LLM on the real llama.cpp path (the small GGUF of the model cache, Gemma 3 270M): in
// deep mode the model's sub-queries show while it is still judging, and the window's Cancel stops the model in the
// middle of an answer, not after it.
#include "engineassembly.h"
#include "knowledge/lexicon.h"
#include "mainwindow.h"
#include "querybar.h"
#include "llm/localllm.h"
#include "resultsmodel.h"
#include "services.h"
#include "smallllm.h"
#include "testsupport.h"
#include "tst_gui_fixture.h"

#include <QComboBox>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <atomic>
#include <mutex>

using namespace ts;
using namespace ts::guitest;

namespace {

/// The embedded model as the engine sees it, except that a judgement is made long: the model is asked to count to a
/// thousand in words (minutes of generation on a CPU), so a cancel can only end it by interrupting the model.
/// Records when a judgement started and how it ended.
class LongJudgementClient : public LlmClient {
public:
    LongJudgementClient(std::unique_ptr<LlmClient> inner, std::atomic<bool> *judging, std::mutex *mutex,
                        std::string *outcome)
        : m_inner(std::move(inner)), m_judging(judging), m_mutex(mutex), m_outcome(outcome)
    {
    }
    Result<LlmReply> complete(const LlmRequest &request, const CancelToken &cancel) override
    {
        if (request.schemaName != "verdict")
            return m_inner->complete(request, cancel);
        LlmRequest slow;
        slow.messages = {{LlmMessageRole::User, "Count from one to one thousand in words, one number per line.", {}}};
        *m_judging = true;
        auto r = m_inner->complete(slow, cancel);
        std::lock_guard<std::mutex> lock(*m_mutex);
        *m_outcome = r ? "answered" : r.message();
        return r ? Result<LlmReply>::error("not a verdict") : r;
    }
    const LlmEndpoint &endpoint() const override { return m_inner->endpoint(); }
    std::string name() const override { return m_inner->name(); }

private:
    std::unique_ptr<LlmClient> m_inner;
    std::atomic<bool> *m_judging;
    std::mutex *m_mutex;
    std::string *m_outcome;
};

bool cancelOutcomeIsEmpty(std::mutex &mutex, const std::string &outcome)
{
    std::lock_guard<std::mutex> lock(mutex);
    return outcome.empty(); // the judgement has not ended yet
}

} // namespace

class TestGuiLlm : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<LocalLlm> m_model;

private slots:
    void initTestCase()
    {
        TS_LOAD_SMALL_LLM(m_model, 8192, nullptr);
        QVERIFY(m_dir.isValid());
        QVERIFY2(makeClip(m_dir.filePath("clipa.mp4")), "ffmpeg could not make a test clip");
        QVERIFY(makeClip(m_dir.filePath("clipb.mp4")));
        QVERIFY(makeLibrary(m_dir.filePath("lib.sqlite"), {makeTwin("clipa", m_dir.filePath("clipa.mp4")),
                                                            makeTwin("clipb", m_dir.filePath("clipb.mp4"))}));
    }

    void cancelStopsTheModelMidAnswer()
    {
        QSettings settings(m_dir.filePath("settings.ini"), QSettings::IniFormat);
        settings.setValue("query/mode", "deep");
        TaskManager tasks(1);
        Lexicon lexicon(nullptr, nullptr);
        std::atomic<bool> judging{false};
        std::mutex mutex;
        std::string outcome;
        ExplorerServices deps;
        deps.tasks = &tasks;
        deps.settings = &settings;
        deps.engineFactory = [&](const AppSettings &) -> std::unique_ptr<RetrievalEngine> {
            EngineParts parts;
            parts.localClient = [&]() -> std::unique_ptr<LlmClient> {
                return std::make_unique<LongJudgementClient>(makeLocalLlmClient(m_model, 4000), &judging, &mutex,
                                                             &outcome);
            };
            return assembleRetrievalEngine(lexicon, std::move(parts));
        };
        MainWindow w(deps);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openLibraryAndWait(w, m_dir.filePath("lib.sqlite")));
        QCOMPARE(w.queryBar()->options().mode, ReasoningMode::Deep);
        QSignalSpy finished(&w, &MainWindow::queryFinished);

        w.runQuery(QStringLiteral("a dog next to a ball"));
        // The model decomposes (the chips show), then starts judging.
        QTRY_VERIFY_WITH_TIMEOUT(judging.load(), 300000);
        // The chips come through the event loop while the model is already judging.
        QTRY_VERIFY_WITH_TIMEOUT(w.queryBar()->chipCount() > 0, 10000);
        QVERIFY(judging.load() && cancelOutcomeIsEmpty(mutex, outcome));
        QTest::qWait(1500); // well into the answer
        auto *cancel = w.queryBar()->findChild<QToolButton *>("cancelQuery");
        QVERIFY(cancel && cancel->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        // Generation stops at the next token; counting to a thousand would take minutes here, and the model's own
        // answer says it was interrupted rather than finished.
        QTRY_VERIFY_WITH_TIMEOUT(!cancel->isEnabled(), 60000);
        {
            std::lock_guard<std::mutex> lock(mutex);
            QCOMPARE(QString::fromStdString(outcome), QStringLiteral("cancelled"));
        }
        QCOMPARE(finished.count(), 0);
        auto *summary = w.findChild<QLabel *>("resultsSummary");
        QVERIFY(summary);
        QVERIFY2(!summary->text().contains("result(s) for"), qPrintable(summary->text()));

        // The model answers the next request: the interrupted state was dropped.
        CancelToken fresh;
        auto again = m_model->generate({{LlmMessageRole::User, "Say yes.", {}}}, "root ::= \"yes\"", 4, fresh);
        QVERIFY2(again.isOk(), again.message().c_str());
    }
};

QTEST_MAIN(TestGuiLlm)
#include "tst_gui_llm.moc"
