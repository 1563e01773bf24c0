// twinseek: the desktop explorer. Thin main: parses the command line, loads the translations, builds the
// services and hands them to the main window.
#include "mainwindow.h"
#include "services.h"

#include "llm/llmclient.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

/// Loads the explorer's and Qt's own translations for the language (system locale unless given).
void installTranslations(QApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *mine = new QTranslator(&app);
    // English is the fallback: its catalogue carries the plural forms ("1 video", "2 videos").
    if (mine->load(locale, QStringLiteral("twinseek"), QStringLiteral("_"), QStringLiteral(":/i18n")) ||
        mine->load(QStringLiteral("twinseek_en"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(mine);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(qt);
}

/// Settings > Test Connection: one tiny structured request, no retries.
ts::Status testEndpoint(const ts::LlmEndpoint &endpoint)
{
    ts::LlmEndpoint quick = endpoint;
    quick.maxRetries = 0;
    quick.timeoutMs = std::min(endpoint.timeoutMs, 30000);
    quick.maxTokens = 32;
    auto client = ts::makeLlmClient(quick);
    ts::LlmRequest request;
    request.messages.push_back({ts::LlmMessageRole::User, "Reply with the JSON object {\"ok\": true}.", {}});
    request.schema = {{"type", "object"},
                      {"properties", {{"ok", {{"type", "boolean"}}}}},
                      {"required", {"ok"}},
                      {"additionalProperties", false}};
    request.schemaName = "ping";
    auto reply = client->complete(request, ts::CancelToken());
    return reply ? ts::Status::ok() : reply.status();
}

/// The window's command line, also used to print --help where there is no display.
void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QApplication::translate("main", "TwinSeek: reasoning text-to-video retrieval"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("version"), QApplication::translate("main", "Print the version and exit.")});
    parser.addOption({{QStringLiteral("d"), QStringLiteral("db")}, QApplication::translate("main", "Library to open."),
                      QStringLiteral("LIB.sqlite")});
    parser.addOption({QStringLiteral("query"), QApplication::translate("main", "Run this query once the window is up."),
                      QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("screenshot"),
                      QApplication::translate("main", "After the query finished and the first result is shown, save "
                                                      "a PNG of the window and exit."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("annotate"),
                      QApplication::translate("main", "Open this query set in annotator mode."),
                      QStringLiteral("QUERIES.jsonl")});
    parser.addOption({QStringLiteral("settings"),
                      QApplication::translate("main", "Use this settings file instead of the user's."),
                      QStringLiteral("FILE.ini")});
    parser.addOption({QStringLiteral("lang"), QApplication::translate("main", "Interface language (en, de)."),
                      QStringLiteral("CODE")});
    parser.addPositionalArgument(QStringLiteral("paths"), QApplication::translate("main", "Folders or videos to add."));
}

} // namespace

int main(int argc, char **argv)
{
    // --version works without a display (packaging checks run it headless).
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("twinseek %s\n", ts::twinseekVersion().c_str());
            return 0;
        }
    // So does --help: it needs no window, and a server or a terminal without X should still show it.
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0 ||
            std::strcmp(argv[i], "--help-all") == 0) {
            QCoreApplication core(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("twinseek"));
            QCoreApplication::setApplicationVersion(QString::fromStdString(ts::twinseekVersion()));
            QCommandLineParser parser;
            describeOptions(parser);
            parser.process(core); // prints the help and exits
            return 0;
        }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("twinseek"));
    QApplication::setOrganizationName(QStringLiteral("twinseek"));
    QApplication::setApplicationDisplayName(QStringLiteral("TwinSeek"));
    QApplication::setApplicationVersion(QString::fromStdString(ts::twinseekVersion()));
    QApplication::setDesktopFileName(QStringLiteral("io.github.twinseek.TwinSeek"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/twinseek.svg")));

    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);
    installTranslations(app, parser.value(QStringLiteral("lang")));

    // Owned by the application object: it outlives the window that writes its layout here on close.
    QSettings *settings = parser.isSet(QStringLiteral("settings"))
                              ? new QSettings(parser.value(QStringLiteral("settings")), QSettings::IniFormat, &app)
                              : new QSettings(&app);
    const ts::AppSettings initial = ts::AppSettings::load(*settings);

    ts::Services services;
    ts::TaskManager tasks(initial.threads, &app);

    ts::ExplorerServices deps;
    deps.models = &services.models();
    deps.builderFactory = [&services](const ts::TwinBuilderConfig &config) { return services.makeBuilder(config); };
    deps.tasks = &tasks;
    deps.settings = settings;
    // ENGINE: the one place the explorer obtains its retrieval engine from the composition root. LLM roles come
    // from the settings, overridden by TWINSEEK_* environment variables.
    deps.engineFactory = [&services](const ts::AppSettings &s) -> std::unique_ptr<ts::RetrievalEngine> {
        auto roles = ts::Services::llmRolesFromEnv(s.llm);
        if (!roles) {
            std::fprintf(stderr, "twinseek: %s; using the LLM settings without the environment\n",
                         roles.message().c_str());
            return services.makeRetrievalEngine(s.llm);
        }
        return services.makeRetrievalEngine(*roles);
    };
    deps.connectionTester = testEndpoint;
    // Ingested twins get their components embedded for the coarse stage, as the CLI's ingest does. The hook is
    // made on the worker at first use: loading the aligner must not hold up the UI thread.
    deps.storedHook = [&services](std::shared_ptr<ts::TwinStore> store) -> ts::TwinStoredHook {
        return [&services, store](const ts::Twin &twin, ts::VideoId id) {
            return services.componentEmbeddingHook(*store)(twin, id);
        };
    };

    ts::MainWindow window(deps);
    window.show();
    QString library = parser.value(QStringLiteral("db"));
    if (library.isEmpty())
        library = settings->value(QStringLiteral("library/last")).toString();
    // Without one, adding videos makes the default library in the user's data folder (MainWindow::addPaths).
    if (!library.isEmpty())
        window.openLibrary(library);
    if (!parser.positionalArguments().isEmpty())
        window.addPaths(parser.positionalArguments());
    if (parser.isSet(QStringLiteral("annotate")))
        window.openQuerySetFile(parser.value(QStringLiteral("annotate")));

    const QString screenshot = parser.value(QStringLiteral("screenshot"));
    if (!screenshot.isEmpty()) {
        // Grab once everything the query shows is on screen: polled from the event loop, never by spinning it.
        auto *poll = new QTimer(&window);
        auto clock = std::make_shared<QElapsedTimer>();
        QObject::connect(&window, &ts::MainWindow::queryFinished, &window, [poll, clock] {
            clock->start();
            poll->start(250);
        });
        QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, clock, screenshot] {
            const bool timedOut = clock->elapsed() > 120000;
            if (!window.isSettled() && !timedOut)
                return;
            poll->stop();
            const bool saved = window.grab().save(screenshot, "PNG");
            std::fprintf(stderr, "twinseek: %s %s%s\n", saved ? "saved" : "could not save", qPrintable(screenshot),
                         timedOut ? " (timed out waiting for the view to settle)" : "");
            QApplication::exit(saved ? 0 : 1);
        });
        QObject::connect(&window, &ts::MainWindow::queryFailed, &window, [](const QString &message) {
            std::fprintf(stderr, "twinseek: query failed: %s\n", qPrintable(message));
            QApplication::exit(2);
        });
    }
    const QString query = parser.value(QStringLiteral("query"));
    if (!screenshot.isEmpty() && query.isEmpty())
        QTimer::singleShot(2000, &window, [&window, screenshot] {
            QApplication::exit(window.grab().save(screenshot, "PNG") ? 0 : 1);
        });
    if (!query.isEmpty())
        QTimer::singleShot(0, &window, [&window, query] { window.runQuery(query); });

    const int rc = app.exec();
    tasks.cancelAll();
    tasks.waitForDone();
    return rc;
}
