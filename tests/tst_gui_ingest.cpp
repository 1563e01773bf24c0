// The library panel's ingestion: one background task per file with live states in the model, failures with
// their reason, files that are not videos dropped, cancel and remove, and watched folders that pick up new files.
#include "ingestqueue.h"
#include "librarymodel.h"
#include "librarypanel.h"
#include "services.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QAction>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace ts;

namespace {

TwinBuilderConfig fastConfig()
{
    TwinBuilderConfig c;
    c.detectFps = 3.0;
    c.keyframeFps = c.saliencyFps = 1.0;
    return c;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestGuiIngest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<IngestState>();
        m_services = std::make_unique<Services>();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto store = TwinStore::open(m_dir->filePath("lib.sqlite").toStdString());
        QVERIFY(store);
        m_store = std::shared_ptr<TwinStore>(std::move(store).value());
        m_tasks = std::make_unique<TaskManager>(1);
        Services *s = m_services.get();
        m_queue = std::make_unique<IngestQueue>(*m_tasks, [s] { return s->makeBuilder(fastConfig()); }, nullptr);
        m_queue->setStore(m_store);
        m_model = std::make_unique<LibraryModel>(nullptr);
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(),
                                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        // What the library panel does.
        connect(m_queue.get(), &IngestQueue::stateChanged, m_model.get(), &LibraryModel::setLiveState);
        connect(m_queue.get(), &IngestQueue::fileFinished, m_model.get(), [this](const QString &path) {
            m_model->clearLiveState(path);
            m_model->reload(*m_store);
        });
    }

    void cleanup()
    {
        m_tasks->cancelAll();
        m_tasks->waitForDone();
        m_tester.reset();
        m_model.reset();
        m_queue.reset();
        m_tasks.reset();
        m_store.reset();
        m_dir.reset();
    }

    void ingestsAndReportsFailures()
    {
        const QString media = m_dir->filePath("media");
        QVERIFY(QDir().mkpath(media));
        const QString good = QDir(media).filePath("good.mp4");
        QVERIFY(test::makeSyntheticVideo(good, "testsrc2=size=160x120:rate=10", 1.0));
        const QString empty = QDir(media).filePath("empty.mp4");
        QVERIFY(writeFile(empty, {}));
        const QString notes = QDir(media).filePath("notes.txt");
        QVERIFY(writeFile(notes, "just text"));
        QSignalSpy finished(m_queue.get(), &IngestQueue::fileFinished);
        QSignalSpy problems(m_queue.get(), &IngestQueue::problem);
        QCOMPARE(m_queue->addPaths({media, m_dir->filePath("missing")}), 3);
        QCOMPARE(problems.count(), 1);
        QCOMPARE(m_queue->addPaths({media}), 0); // already queued: not twice
        QCOMPARE(m_model->rowCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 3, 300000);
        QVERIFY(!m_queue->pendingCount());

        QHash<QString, QList<QVariant>> byPath;
        for (const auto &args : finished)
            byPath.insert(args.at(0).toString(), args);
        QCOMPARE(byPath[good].at(2).value<IngestState>(), IngestState::Done);
        QCOMPARE(byPath[good].at(1).toString(), QStringLiteral("good"));
        QCOMPARE(byPath[empty].at(2).value<IngestState>(), IngestState::Failed);
        QVERIFY(byPath[empty].at(3).toString().contains(QStringLiteral("empty")));
        QVERIFY(byPath[notes].at(1).toString().isEmpty()); // not a video: nothing stored

        // The model: the good video done, the empty one failed with its reason, no row for the text file.
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->stateAt(m_model->rowOfKey("good")), IngestState::Done);
        const int bad = m_model->rowOfPath(empty);
        QVERIFY(bad >= 0);
        QCOMPARE(m_model->stateAt(bad), IngestState::Failed);
        QVERIFY(m_model->index(bad, LibraryModel::Status).data().toString().contains(QStringLiteral("empty")));
        QCOMPARE(m_model->rowOfPath(notes), -1);
    }

    void cancelAndRemove()
    {
        const QString a = m_dir->filePath("a.mp4");
        QVERIFY(test::makeSyntheticVideo(a, "testsrc2=size=160x120:rate=10", 1.0));
        QSignalSpy finished(m_queue.get(), &IngestQueue::fileFinished);
        m_queue->addPaths({a});
        QVERIFY(m_queue->isPending(a));
        QCOMPARE(m_model->stateAt(m_model->rowOfPath(a)), IngestState::Queued);
        m_queue->cancel(a);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(2).value<IngestState>(), IngestState::Cancelled);
        QVERIFY(!m_queue->isPending(a));
        QVERIFY(!m_store->videoByPath(a.toStdString())); // nothing half-written
        QCOMPARE(m_model->rowOfPath(a), -1);

        // Ingest it for real, then remove it: the row and the stored twin go.
        m_queue->addPaths({a});
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 300000);
        QCOMPARE(finished.last().at(2).value<IngestState>(), IngestState::Done);
        const QString key = finished.last().at(1).toString();
        QCOMPARE(key, QStringLiteral("a"));
        QVERIFY(m_store->videoByKey("a"));
        QCOMPARE(m_model->stateAt(m_model->rowOfKey("a")), IngestState::Done);
        // The removal runs on the queue's store thread; this thread never asks the library meanwhile.
        m_store->forbidThread(std::this_thread::get_id(), {});
        const std::vector<Status> removed = m_queue->remove({{key, a}}).result();
        QCOMPARE(m_store->threadViolations(), 0);
        QCOMPARE(removed.size(), size_t(1));
        QVERIFY2(removed[0].isOk(), removed[0].message().c_str());
        m_model->reload(*m_store);
        QVERIFY(!m_store->videoByKey("a"));
        QCOMPARE(m_model->rowCount(), 0);
    }

    // The panel's per-video cancel: enabled for a selected row while its video is queued or being analysed (also
    // when the row was selected before, as for a re-ingest), and it stops that video only.
    void panelCancelsTheSelectedVideo()
    {
        const QString slow = m_dir->filePath("slow.mp4");
        QVERIFY(test::makeSyntheticVideo(slow, "testsrc2=size=640x360:rate=25", 20.0));
        Twin stored = test::sampleTwin();
        stored.video.key = "slow";
        stored.video.path = slow.toStdString();
        QVERIFY(m_store->putTwin(stored, 1, 1, "").isOk());
        LibraryPanel panel(m_model.get(), m_queue.get(), nullptr);
        panel.setStore(m_store);
        QTRY_VERIFY(m_model->rowOfKey("slow") >= 0); // read on the panel's store thread
        panel.view()->selectRow(m_model->rowOfKey("slow"));
        QTRY_VERIFY(panel.reingestAction()->isEnabled());
        QVERIFY(!panel.cancelAction()->isEnabled());
        const std::string before = m_store->videoByKey("slow")->ingestedAt;
        QSignalSpy finished(m_queue.get(), &IngestQueue::fileFinished);
        QSignalSpy running(m_queue.get(), &IngestQueue::stateChanged);
        panel.reingestAction()->trigger();
        const auto isRunning = [&] {
            for (const auto &args : running)
                if (args.at(1).value<IngestState>() == IngestState::Ingesting && args.at(2).toDouble() > 0.0)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(isRunning(), 60000);
        QVERIFY(finished.isEmpty());
        QTRY_VERIFY(panel.cancelAction()->isEnabled());
        // Progress keeps arriving: the action stays usable while the row shows it.
        const int updates = running.count();
        QTRY_VERIFY_WITH_TIMEOUT(running.count() > updates, 30000);
        QVERIFY(panel.cancelAction()->isEnabled());
        panel.cancelAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().at(2).value<IngestState>(), IngestState::Cancelled);
        QCOMPARE(m_store->videoByKey("slow")->ingestedAt, before); // the stored twin stays as it was
        QVERIFY(m_store->loadTwin("slow").isOk());
        QTRY_VERIFY(!panel.cancelAction()->isEnabled());
    }

    // A file with the content of a stored video is that video: one row, the other path in its tooltip.
    void duplicateFileIsOneRow()
    {
        const QString a = m_dir->filePath("a.mp4");
        QVERIFY(test::makeSyntheticVideo(a, "testsrc2=size=160x120:rate=10", 1.0));
        const QString b = m_dir->filePath("b.mp4");
        QVERIFY(QFile::copy(a, b));
        QSignalSpy finished(m_queue.get(), &IngestQueue::fileFinished);
        m_queue->addPaths({a});
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 300000);
        m_queue->addPaths({b});
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 300000);
        QCOMPARE(finished.last().at(1).toString(), QStringLiteral("a"));
        m_model->reload(*m_store);
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->copiesAt(0), QStringList{b});
        QVERIFY(m_model->index(0, 0).data(Qt::ToolTipRole).toString().contains(b));
    }

    void watchedFolderPicksUpNewFiles()
    {
        const QString watched = m_dir->filePath("incoming");
        QVERIFY(QDir().mkpath(watched));
        QSignalSpy changed(m_queue.get(), &IngestQueue::watchedFoldersChanged);
        m_queue->watchFolder(watched);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(m_queue->watchedFolders(), QStringList{watched});
        QSignalSpy finished(m_queue.get(), &IngestQueue::fileFinished);
        // A broken "video" arrives: it is picked up, fails, and the failure is recorded with its reason.
        QVERIFY(writeFile(QDir(watched).filePath("broken.mp4"), QByteArray(4096, 'x')));
        QVERIFY(writeFile(QDir(watched).filePath("readme.txt"), "not a video"));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        QCOMPARE(finished.first().at(2).value<IngestState>(), IngestState::Failed);
        const int row = m_model->rowOfPath(QDir(watched).filePath("broken.mp4"));
        QVERIFY(row >= 0);
        QCOMPARE(m_model->stateAt(row), IngestState::Failed);
        QVERIFY(!m_model->index(row, 0).data(LibraryModel::MessageRole).toString().isEmpty());
        // The .txt file was never queued; a rescan finds nothing new (the failure is remembered).
        QSignalSpy rescanned(m_queue.get(), &IngestQueue::rescanned);
        m_store->forbidThread(std::this_thread::get_id(), {});
        m_queue->rescanWatched();
        QVERIFY(rescanned.wait(30000));
        QCOMPARE(rescanned.last().at(0).toInt(), 0);
        QCOMPARE(m_store->threadViolations(), 0); // the stored sizes were read on the queue's store thread
        m_queue->unwatchFolder(watched);
        QVERIFY(m_queue->watchedFolders().isEmpty());
    }

private:
    std::unique_ptr<Services> m_services;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<TwinStore> m_store;
    std::unique_ptr<TaskManager> m_tasks;
    std::unique_ptr<IngestQueue> m_queue;
    std::unique_ptr<LibraryModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

QTEST_MAIN(TestGuiIngest)
#include "tst_gui_ingest.moc"
