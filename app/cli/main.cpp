// twinseek-cli: the headless, scriptable front end (ingest, inspect, query, evaluate, train).
#include "cli.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("twinseek"));
    QCoreApplication::setOrganizationName(QStringLiteral("twinseek"));
    QCoreApplication::setApplicationVersion(QString::fromStdString(ts::twinseekVersion()));
    return ts::runCli(QCoreApplication::arguments());
}
