// forEachOnWorkers: every item exactly once, on at most the asked number of threads, the caller being one of them.
// Prefetcher: every result once and in order, produced on its own thread at most `depth` ahead, stopped midway.
#include "base/workers.h"

#include <QTest>

#include <atomic>
#include <chrono>

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
            // Items that take a moment: instant ones may all be gone before the caller's turn (seen under TSan).
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
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

    void prefetchInOrder_data()
    {
        QTest::addColumn<int>("depth");
        QTest::newRow("inline") << 0;
        QTest::newRow("one ahead") << 1;
        QTest::newRow("four ahead") << 4;
    }
    void prefetchInOrder()
    {
        QFETCH(int, depth);
        const auto caller = std::this_thread::get_id();
        std::atomic<int> produced{0};
        std::atomic<int> consumed{0};
        std::atomic<int> mostAhead{0};
        std::atomic<bool> onCaller{false};
        std::atomic<int> callsAfterEnd{0};
        bool ended = false;
        Prefetcher<int> p(static_cast<size_t>(depth), [&]() -> std::optional<int> {
            if (ended)
                ++callsAfterEnd;
            if (std::this_thread::get_id() == caller)
                onCaller = true;
            mostAhead = std::max(mostAhead.load(), produced.load() - consumed.load());
            if (produced == 50) {
                ended = true;
                return std::nullopt;
            }
            return produced++;
        });
        for (int expected = 0; expected < 50; ++expected) {
            std::optional<int> v = p.next();
            QVERIFY(v.has_value());
            QCOMPARE(*v, expected);
            ++consumed;
            if (expected % 7 == 0) // a slow consumer: the producer must wait for room, not run away
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        QVERIFY(!p.next().has_value());
        QVERIFY(!p.next().has_value());
        QCOMPARE(callsAfterEnd.load(), 0);
        QCOMPARE(onCaller.load(), depth == 0);
        // produced - consumed is read just before producing: the queue plus the item the consumer holds.
        QVERIFY2(mostAhead.load() <= std::max(1, depth + 1), qPrintable(QString::number(mostAhead.load())));
    }

    void prefetchStopsMidway()
    {
        // The consumer leaves after three results of an endless producer waiting for room in a full queue:
        // destruction wakes it, stops it and joins it (a hang here is the failure), and it never ran further
        // ahead than the queue allows.
        std::atomic<int> produced{0};
        {
            Prefetcher<int> p(2, [&]() -> std::optional<int> { return produced++; });
            for (int i = 0; i < 3; ++i)
                QCOMPARE(*p.next(), i);
        }
        QVERIFY2(produced.load() <= 3 + 2 + 1, qPrintable(QString::number(produced.load())));
    }
};

QTEST_APPLESS_MAIN(TestWorkers)
#include "tst_workers.moc"
