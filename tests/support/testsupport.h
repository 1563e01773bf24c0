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

#define TS_REQUIRE_CORPUS()                                                                                           \
    do {                                                                                                               \
        if (ts::test::corpusDir().isEmpty())                                                                           \
            QSKIP("the real corpus (../shared/corpus) is not present");                                                \
    } while (0)
