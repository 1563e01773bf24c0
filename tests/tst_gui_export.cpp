// Mask exports (COCO RLE, DAVIS PNG, SA-V) read back to the twin's masks, leave nothing behind when cancelled,
// and the annotator's export writes a query set that loads with the verified grades and ground-truth masks.
#include "annotator.h"
#include "maskexport.h"
#include "tst_gui_fixture.h"
#include "twin/maskio.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QTest>

#include <nlohmann/json.hpp>

#include <sqlite3.h>

using namespace ts;
using namespace ts::guitest;

namespace {

nlohmann::json readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return nlohmann::json::parse(f.readAll().toStdString(), nullptr, false);
}

} // namespace

class TestGuiExport : public QObject {
    Q_OBJECT
private slots:
    void cocoRoundTrips()
    {
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        QTemporaryDir dir;
        const QString path = dir.filePath("a_coco.json");
        QVERIFY(exportMasks(twin, {1}, MaskFormat::CocoRle, path.toStdString(), {}, {}).isOk());
        const nlohmann::json j = readJson(path);
        QCOMPARE(j["images"].size(), twin.frames.size());
        QCOMPARE(j["annotations"].size(), twin.frames.size()); // one object per analysed frame
        QCOMPARE(j["categories"].size(), size_t(1));
        for (const auto &a : j["annotations"]) {
            QCOMPARE(a["track_id"].get<int>(), 1);
            auto rle = rleFromJson(a["segmentation"]);
            QVERIFY(rle);
            const FrameIndex f = a["image_id"].get<int64_t>() - 1;
            const Rle expected = twin.maskOf({1}, f);
            QVERIFY(*rle == expected);
            QCOMPARE(a["area"].get<uint64_t>(), expected.area());
        }
        // All tracks when none is named.
        QVERIFY(exportMasks(twin, {}, MaskFormat::CocoRle, path.toStdString(), {}, {}).isOk());
        QCOMPARE(readJson(path)["annotations"].size(), twin.frames.size() * 2);
    }

    void davisPngsCoverEveryFrame()
    {
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        QTemporaryDir dir;
        const QString out = dir.filePath("masks");
        QVERIFY(exportMasks(twin, {1, 2}, MaskFormat::DavisPng, out.toStdString(), {}, {}).isOk());
        QCOMPARE(QDir(out).entryList({"*.png"}, QDir::Files).size(), kFrames);
        for (FrameIndex f : {FrameIndex(0), FrameIndex(1), FrameIndex(kFrames - 1)}) {
            auto png = readDavisPng(QDir(out).filePath(QStringLiteral("%1.png").arg(f, 5, 10, QLatin1Char('0'))).toStdString());
            QVERIFY(png);
            // Frame 1 was not analysed: it takes the nearest analysed frame's masks.
            QVERIFY(matToRle(*png) == twin.maskOf({1, 2}, f));
        }
        QVERIFY(!QFileInfo::exists(out + ".partial"));
        // A second export into the same, now non-empty folder is refused rather than mixed.
        QVERIFY(!exportMasks(twin, {1}, MaskFormat::DavisPng, out.toStdString(), {}, {}).isOk());
    }

    void cancelledExportLeavesNothing()
    {
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        QTemporaryDir dir;
        const QString out = dir.filePath("masks");
        CancelToken cancel;
        int calls = 0;
        const Status s = exportMasks(twin, {1}, MaskFormat::DavisPng, out.toStdString(), cancel,
                                     [&](double, const std::string &) {
                                         if (++calls == 10)
                                             cancel.cancel();
                                     });
        QVERIFY(!s.isOk());
        QCOMPARE(s.message(), std::string("cancelled"));
        QVERIFY(s.isCancelled());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + ".partial"));
    }

    void savStructure()
    {
        const Twin twin = makeTwin("a", "/videos/a.mp4");
        const nlohmann::json j = savJson(twin, {2, 1});
        const int stride = static_cast<int>(std::lround(kFps / kSavAnnotationFps)); // 25 fps -> every 4th frame
        const size_t rows = static_cast<size_t>((kFrames + stride - 1) / stride);
        QCOMPARE(j["masklet"].size(), rows);
        QCOMPARE(j["masklet_num"].get<int>(), 2);
        QVERIFY(j["masklet_id"] == nlohmann::json::parse("[0,1]"));
        QVERIFY(j["twinseek_track_ids"] == nlohmann::json::parse("[2,1]"));
        QCOMPARE(j["video_height"].get<double>(), double(kHeight));
        QCOMPARE(j["masklet_frame_count"][0].get<size_t>(), rows);
        QCOMPARE(j["masklet_size_bucket"][1].get<std::string>(), std::string("medium")); // 40x30 dog
        for (size_t r = 0; r < rows; ++r) {
            const FrameIndex f = j["twinseek_frame_indices"][r].get<FrameIndex>();
            QCOMPARE(f, FrameIndex(r * stride));
            auto ball = rleFromJson(j["masklet"][r][0]);
            QVERIFY(ball);
            QVERIFY(*ball == twin.maskOf({2}, f));
        }
    }

    // A grade the library refuses (its table is gone) is not kept on screen: the user is told, and the view goes
    // back to what the library holds.
    void refusedWriteIsUndoneOnScreen()
    {
        QTemporaryDir dir;
        auto store = makeLibrary(dir.filePath("lib.sqlite"), {makeTwin("a", "/videos/a.mp4")});
        QVERIFY(store);
        const QString setPath = dir.filePath("set.jsonl");
        QFile f(setPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"id":"Q1","query":"a dog","relevant":{"a":1}})" "\n");
        f.close();
        AnnotatorController controller(nullptr);
        controller.setStore(store);
        QVERIFY(controller.openQuerySet(setPath).isOk());
        controller.setShownQuery("a dog");
        controller.setCurrentVideo("a");
        controller.waitForWrites();
        sqlite3 *raw = nullptr;
        QCOMPARE(sqlite3_open(dir.filePath("lib.sqlite").toUtf8().constData(), &raw), SQLITE_OK);
        QCOMPARE(sqlite3_exec(raw, "DROP TABLE annotations", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(raw);
        QSignalSpy errors(&controller, &AnnotatorController::errorOccurred);
        QVERIFY(controller.grade(2).isOk()); // shown at once, written on the store thread
        QCOMPARE(controller.gradeOf("Q1", "a"), 2);
        QVERIFY(errors.wait(10000));
        QVERIFY2(errors.first().first().toString().contains("Could not save the annotation"),
                 qPrintable(errors.first().first().toString()));
        QCOMPARE(controller.gradeOf("Q1", "a"), 1); // the query set's grade again
        QCOMPARE(controller.undoStack()->count(), 0);
    }

    void annotatorExport()
    {
        QTemporaryDir dir;
        auto store = makeLibrary(dir.filePath("lib.sqlite"), {makeTwin("a", "/videos/a.mp4"), makeTwin("b", "/videos/b.mp4")});
        QVERIFY(store);
        const QString setPath = dir.filePath("set.jsonl");
        QFile f(setPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"id":"Q1","query":"a dog","relevant":{"a":1,"b":2},"note":"kept"})"
                "\n"
                R"({"id":"Q2","query":"bad query","relevant":{}})"
                "\n");
        f.close();
        AnnotatorController controller(nullptr);
        controller.setStore(store);
        QVERIFY(controller.openQuerySet(setPath).isOk());
        controller.setCurrentVideo("a");
        // Nothing is recorded against a query whose results are not on screen.
        QVERIFY(!controller.grade(2).isOk());
        controller.setShownQuery("a red car");
        const Status wrong = controller.grade(2);
        QVERIFY(!wrong.isOk());
        QVERIFY2(wrong.message().find("“a red car”, not for the query being annotated (“a dog”)") != std::string::npos,
                 wrong.message().c_str());
        QVERIFY(!controller.toggleObject(1).isOk());
        QVERIFY(!controller.setVerdict("accepted").isOk());
        QCOMPARE(controller.gradeOf("Q1", "a"), 1); // still the grade the set gave
        controller.setShownQuery(" a dog ");
        QVERIFY(controller.grade(2).isOk());
        QVERIFY(controller.toggleObject(1).isOk());
        controller.setCurrentVideo("b");
        QVERIFY(controller.grade(0).isOk());
        controller.nextQuery();
        controller.setShownQuery("bad query");
        QVERIFY(controller.setVerdict("rejected").isOk());

        const QString out = dir.filePath("out/verified.jsonl");
        QVERIFY(QDir().mkpath(dir.filePath("out")));
        const Status s = AnnotatorController::exportSet(*store, controller.snapshot(), out.toStdString(),
                                                        dir.filePath("out/masks").toStdString(), {}, {});
        QVERIFY2(s.isOk(), s.message().c_str());
        auto loaded = loadQuerySet(out.toStdString());
        QVERIFY(loaded);
        QCOMPARE(loaded->queries.size(), size_t(1)); // Q2 was rejected
        const BenchQuery &q = loaded->queries[0];
        QCOMPARE(q.grade("a"), 2);
        QCOMPARE(q.grade("b"), 0); // graded irrelevant: no longer listed
        QCOMPARE(q.relevant.count("b"), size_t(0));
        QCOMPARE(q.extraJson.at("note"), std::string("\"kept\""));
        QVERIFY(q.ground.count("a"));
        const QString masks = QDir(dir.filePath("out")).filePath(QString::fromStdString(q.ground.at("a")));
        QCOMPARE(QDir(masks).entryList({"*.png"}, QDir::Files).size(), kFrames);
        auto png = readDavisPng(QDir(masks).filePath("00010.png").toStdString());
        QVERIFY(png);
        QVERIFY(matToRle(*png) == makeTwin("a", "/videos/a.mp4").maskOf({1}, 10));
        QVERIFY(QFileInfo::exists(masks + ".json"));

        // Undo goes back through the library: the rejection is lifted.
        controller.undoStack()->undo();
        QCOMPARE(controller.verdictOf("Q2"), QString());
        controller.waitForWrites();
        bool found = false;
        for (const Annotation &a : store->annotations("set"))
            if (a.queryId == "Q2" && a.videoKey.empty()) {
                found = true;
                QCOMPARE(a.verdict, std::string());
            }
        QVERIFY(found);
    }
};

QTEST_MAIN(TestGuiExport)
#include "tst_gui_export.moc"
