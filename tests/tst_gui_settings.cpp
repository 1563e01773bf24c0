// Settings: saved and read back through QSettings without any key, the dialog refusing bad endpoints, and the
// connection test running off the UI thread and reporting back.
#include "appsettings.h"
#include "settingsdialog.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>

using namespace ts;

class TestGuiSettings : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("s.ini");
        AppSettings s;
        LlmEndpoint e;
        e.protocol = LlmProtocol::Ollama;
        e.baseUrl = "http://127.0.0.1:11434";
        e.model = "qwen2.5:7b";
        e.apiKeyEnv = "MY_KEY_VARIABLE";
        s.llm.reason = e;
        s.activeModels.insert("detector", "yolox_nano");
        s.detectFps = 3.0;
        s.threads = 2;
        {
            QSettings qs(file, QSettings::IniFormat);
            s.save(qs);
        }
        QSettings qs(file, QSettings::IniFormat);
        QString problem;
        const AppSettings back = AppSettings::load(qs, &problem);
        QVERIFY(problem.isEmpty());
        QVERIFY(back.llm.reason.has_value());
        QVERIFY(*back.llm.reason == e);
        QVERIFY(!back.llm.decompose.has_value());
        QCOMPARE(back.activeModels.value("detector"), QStringLiteral("yolox_nano"));
        QCOMPARE(back.detectFps, 3.0);
        QCOMPARE(back.threads, 2);
        const TwinBuilderConfig c = back.builderConfig();
        QCOMPARE(c.detectorId, std::string("yolox_nano"));
        QCOMPARE(c.detectFps, 3.0);

        // A broken entry is reported and dropped, the rest still loads.
        qs.setValue(kLlmRolesKey, "{not json");
        const AppSettings broken = AppSettings::load(qs, &problem);
        QVERIFY(!problem.isEmpty());
        QVERIFY(!broken.llm.reason.has_value());
        QCOMPARE(broken.threads, 2);
    }

    void keysNeverStored()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("s.ini");
        qputenv("TWINSEEK_TEST_SECRET", "sk-very-secret-value");
        AppSettings s;
        LlmEndpoint e;
        e.baseUrl = "https://api.example.com/v1";
        e.model = "m";
        e.apiKeyEnv = "TWINSEEK_TEST_SECRET";
        s.llm.decompose = e;
        {
            QSettings qs(file, QSettings::IniFormat);
            s.save(qs);
        }
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("TWINSEEK_TEST_SECRET"));
        QVERIFY(!text.contains("sk-very-secret-value"));
    }

    void dialogValidatesAndTests()
    {
        QThreadPool pool;
        std::atomic<bool> offUiThread{false};
        QThread *ui = QThread::currentThread();
        ConnectionTester tester = [&offUiThread, ui](const LlmEndpoint &e) -> Status {
            offUiThread = QThread::currentThread() != ui;
            return e.model == "good" ? Status::ok() : Status::error("model not found: " + e.model);
        };
        AppSettings initial;
        SettingsDialog dialog(initial, nullptr, tester, &pool, nullptr);
        QSignalSpy tested(&dialog, &SettingsDialog::connectionTested);

        // A bad URL is refused with a message naming the role; accept() keeps the dialog open.
        LlmEndpoint bad;
        bad.baseUrl = "not a url";
        bad.model = "good";
        dialog.setEndpoint(LlmRole::Reason, bad);
        QVERIFY(!dialog.endpointFor(LlmRole::Reason).isOk());
        dialog.testConnection(LlmRole::Reason);
        QCOMPARE(tested.count(), 1);
        QCOMPARE(tested.takeFirst().at(1).toBool(), false);
        dialog.show();
        dialog.accept();
        QVERIFY(dialog.isVisible());

        LlmEndpoint good;
        good.baseUrl = "http://127.0.0.1:9";
        good.model = "good";
        dialog.setEndpoint(LlmRole::Reason, good);
        dialog.testConnection(LlmRole::Reason);
        QTRY_COMPARE(tested.count(), 1);
        QCOMPARE(tested.takeFirst().at(1).toBool(), true);
        QVERIFY(offUiThread);

        LlmEndpoint missing = good;
        missing.model = "nope";
        dialog.setEndpoint(LlmRole::Decompose, missing);
        dialog.testConnection(LlmRole::Decompose);
        QTRY_COMPARE(tested.count(), 1);
        QCOMPARE(tested.first().at(1).toBool(), false);
        QVERIFY(dialog.testResult(LlmRole::Decompose).contains("model not found"));

        const AppSettings out = dialog.settings();
        QVERIFY(out.llm.reason.has_value());
        QCOMPARE(out.llm.reason->model, std::string("good"));
        QVERIFY(out.llm.decompose.has_value());
        QVERIFY(!out.llm.describe.has_value());
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
};

QTEST_MAIN(TestGuiSettings)
#include "tst_gui_settings.moc"
