// forEachOnWorkers: every item exactly once, on at most the asked number of threads, the caller being one of them.
#include "base/workers.h"

#include <QTest>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace ts;

class TestWorkers : public QObject {
    Q_OBJECT
private slots:
    void everyItemOnce_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("workers");
        QTest::newRow("more items than workers") << 100 << 3;
        QTest::newRow("more workers than items") << 2 << 8;
        QTest::newRow("no workers asked: the caller alone") << 5 << 0;
        QTest::newRow("nothing to do") << 0 << 4;
    }
    void everyItemOnce()
    {
        QFETCH(int, count);
        QFETCH(int, workers);
        std::mutex mutex;
        std::vector<int> seen(static_cast<size_t>(count), 0);
        std::set<std::thread::id> threads;
        std::set<int> slotIds;
        bool callerWorked = false;
        const auto caller = std::this_thread::get_id();
        forEachOnWorkers(static_cast<size_t>(count), workers, [&](size_t i, int slot) {
            std::lock_guard<std::mutex> lock(mutex);
            ++seen[i];
            threads.insert(std::this_thread::get_id());
            slotIds.insert(slot);
            if (std::this_thread::get_id() == caller) {
                callerWorked = true;
                QCOMPARE(slot, 0);
            }
        });
        for (int n : seen)
            QCOMPARE(n, 1);
        const int most = std::max(1, std::min(workers, count));
        QVERIFY(static_cast<int>(threads.size()) <= most);
        for (int s : slotIds)
            QVERIFY(s >= 0 && s < most);
        QCOMPARE(callerWorked, count > 0);
    }
};

QTEST_APPLESS_MAIN(TestWorkers)
#include "tst_workers.moc"
