// twinseek: the desktop explorer.
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("twinseek"));
    QApplication::setOrganizationName(QStringLiteral("twinseek"));
    QApplication::setApplicationDisplayName(QStringLiteral("TwinSeek"));
    QApplication::setApplicationVersion(QString::fromStdString(ts::twinseekVersion()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TwinSeek: reasoning text-to-video retrieval"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({{"d", "db"}, QStringLiteral("Library to open."), QStringLiteral("LIB.sqlite")});
    parser.addPositionalArgument(QStringLiteral("paths"), QStringLiteral("Folders or videos to add."));
    parser.process(app);

    ts::Services services;
    ts::TaskManager tasks(1, &app);
    ts::MainWindow window(services, tasks);
    if (parser.isSet("db"))
        window.openLibrary(parser.value("db"));
    if (!parser.positionalArguments().isEmpty())
        window.addPaths(parser.positionalArguments());
    window.show();
    const int rc = app.exec();
    tasks.cancelAll();
    tasks.waitForDone();
    return rc;
}
