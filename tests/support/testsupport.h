// Helpers shared by the tests: where the real corpus is, temporary libraries, generated media.
#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <opencv2/core.hpp>

#include "twin/twin.h"

namespace ts::test {

/// A small twin with every field set (two frames, one track, a relationship, an OCR observation).
Twin sampleTwin();

/// ../shared/corpus (or TWINSEEK_CORPUS_DIR); empty when absent.
QString corpusDir();
QString corpusFile(const QString &relative);
/// The twinseek-cli executable built alongside the tests.
QString cliPath();
/// Runs a program, returns exit code (-1 when it could not start); output in *out.
int runProcess(const QString &program, const QStringList &args, QString *out = nullptr, int timeoutMs = 600000);
/// Writes a short synthetic video with ffmpeg's lavfi sources (testsrc2 etc.). True on success.
bool makeSyntheticVideo(const QString &path, const QString &lavfiSource, double seconds, const QString &codecArgs = {});

} // namespace ts::test

namespace ts::test {
/// True under CI (CI=true or CI=1): a requirement that the set-up installs must then be there.
bool requirementsAreMandatory();
} // namespace ts::test

/// Skips a test whose requirement (corpus, model, package) is missing on a developer's machine, with the reason;
/// under CI the set-up installs every requirement, so a missing one fails the test instead of hiding it.
#define TS_MISSING(reason)                                                                                             \
    do {                                                                                                               \
        if (ts::test::requirementsAreMandatory())                                                                      \
            QFAIL(qPrintable(QStringLiteral("CI requires this (the set-up installs it): ") + QString(reason)));          \
        QSKIP(qPrintable(QString(reason)));                                                                            \
    } while (0)

#define TS_REQUIRE_CORPUS()                                                                                            \
    do {                                                                                                               \
        if (ts::test::corpusDir().isEmpty())                                                                           \
            TS_MISSING("the real corpus (../shared/corpus) is not present");                                           \
    } while (0)
