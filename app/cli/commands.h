// The commands of twinseek-cli beyond the basics in cli.cpp (benchmarks, queries, evaluation, training).
#pragma once

#include "services.h"

#include <QCommandLineParser>
#include <QStringList>

namespace ts::cli {

int fail(const std::string &message);
bool parse(QCommandLineParser &parser, const QStringList &args, const QString &command, const QString &usage);
QCommandLineOption dbOption();
Result<std::unique_ptr<TwinStore>> openDb(const QCommandLineParser &parser);

int benchTwins(Services &services, const QStringList &args);
int benchIngest(Services &services, const QStringList &args);

} // namespace ts::cli
