// The commands of twinseek-cli beyond the basics in cli.cpp (benchmarks, queries, evaluation, training).
#pragma once

#include "services.h"

#include <QCommandLineParser>
#include <QStringList>

namespace ts::cli {

int fail(const std::string &message);
bool parse(QCommandLineParser &parser, const QStringList &args, const QString &command, const QString &usage);
QCommandLineOption dbOption();
/// How a command opens its library. Only ingest creates one (the others refuse a missing file instead of answering
/// over an empty library made from a typo); commands that only read open it read-only, so they also work on a
/// library in a read-only folder; a query writes when it can (refined twins, --save) and else reads.
enum class LibraryAccess { Existing, Create, ReadOnly, WriteIfPossible };
Result<std::unique_ptr<TwinStore>> openDb(const QCommandLineParser &parser,
                                          LibraryAccess access = LibraryAccess::Existing);

/// The twin builder's settings: defaults, then --pipeline JSON, then --detect-fps, --keyframe-fps, --threads (each
/// only where the command declares it).
TwinBuilderConfig builderConfig(const QCommandLineParser &parser);

int benchTwins(Services &services, const QStringList &args);
int benchIngest(Services &services, const QStringList &args);

/// Invariants a twin keeps (JSON round trip, track references, mask sizes, frame order, centroids); empty when valid.
std::vector<std::string> twinProblems(const Twin &twin);
int validateTwins(Services &services, const QStringList &args);

void addRetrievalOptions(QCommandLineParser &parser);
/// The retrieval options of the command line; reasonerIsLocal picks the defaults of mode and deep candidates.
RetrievalOptions retrievalOptions(const QCommandLineParser &parser, bool reasonerIsLocal);
/// True when the reasoning role runs on the embedded model (no endpoint configured for it).
bool reasonerIsLocal(Services &services, const LlmRoles &roles);
int query(Services &services, const QStringList &args);
int decompose(Services &services, const QStringList &args);
int benchQuery(Services &services, const QStringList &args);
int evaluate(Services &services, const QStringList &args);

/// The aligner (aligncommands.cpp): train-aligner, embed, bench-coarse, eval-aligner.
int trainAligner(Services &services, const QStringList &args);
int embed(Services &services, const QStringList &args);
int benchCoarseSearch(Services &services, const QStringList &args);
int evalAlignerOnLibrary(Services &services, const QStringList &args);

} // namespace ts::cli
