// Annotator mode: step through a benchmark query set (shared/bench/FORMAT.md), run each query, grade the
// returned videos 2/1/0, accept or reject the query, and click instances to choose a video's ground-truth
// objects. Every change goes through an undo stack and is written to the library (TwinStore::putAnnotation) the
// moment it is made, on the controller's own database thread (in the order made), so nothing is lost on a crash and
// the window never waits for the disk. The query's own verdict is stored as an annotation with an
// empty video key. Export writes the verified query set and the chosen objects' masks.
#pragma once

#include "base/cancel.h"
#include "base/result.h"
#include "eval/queryset.h"
#include "store/twinstore.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QWidget>

#include <map>
#include <memory>
#include <utility>

class QLabel;
class QPushButton;
class QThreadPool;
class QUndoStack;

namespace ts {

class AnnotatorController : public QObject {
    Q_OBJECT
public:
    explicit AnnotatorController(QObject *parent);

    void setStore(std::shared_ptr<TwinStore> store);
    /// Blocks until every queued write is in the library (shutdown and tests).
    void waitForWrites();
    /// Loads a query set; malformed lines are listed in *warnings. The annotations already stored for it follow
    /// from the database thread (annotationsLoaded).
    Status openQuerySet(const QString &path, QStringList *warnings = nullptr);
    bool isOpen() const { return !m_set.queries.empty(); }
    QString querySetName() const { return m_name; }
    QString querySetPath() const { return m_path; }
    const QuerySet &querySet() const { return m_set; }

    int currentIndex() const { return m_index; }
    const BenchQuery *currentQuery() const;
    void setCurrentIndex(int index);
    void nextQuery() { setCurrentIndex(m_index + 1); }
    void previousQuery() { setCurrentIndex(m_index - 1); }

    /// The video the grades and objects apply to (the result shown in the inspector).
    void setCurrentVideo(const QString &key);
    QString currentVideo() const { return m_video; }

    /// Changes of the current query / video; each is one undoable step, saved immediately.
    /// The query whose results the grid shows. Grades, verdicts and marked objects are refused while it is not the
    /// set's current query: they would be recorded against a query nobody is looking at.
    void setShownQuery(const QString &text) { m_shownQuery = text.trimmed(); }
    const QString &shownQuery() const { return m_shownQuery; }
    Status grade(int grade);
    Status setVerdict(const QString &verdict); ///< "accepted", "rejected" or "" (query level)
    Status toggleObject(TrackId track);

    /// Grade of a video for a query: the stored annotation, else the query set's own grade, else -1.
    int gradeOf(const QString &queryId, const QString &videoKey) const;
    QString verdictOf(const QString &queryId) const;
    QSet<TrackId> objectsOf(const QString &queryId, const QString &videoKey) const;
    /// Grades of every video mentioned for the current query (for the result cards).
    QHash<QString, int> gradesForCurrentQuery() const;
    QUndoStack *undoStack() const { return m_undo; }

    /// Applies an annotation: stores it, then updates the in-memory view (used by the undo commands).
    Status apply(const Annotation &annotation);
    Annotation annotationFor(const QString &queryId, const QString &videoKey) const;
    /// Empty when the grid shows the current query's results; else why nothing can be recorded now.
    std::string shownQueryProblem(const BenchQuery &query) const;

    struct ExportSnapshot {
        std::string querySetName;
        std::vector<BenchQuery> queries;
        std::map<std::pair<std::string, std::string>, Annotation> annotations;
    };
    ExportSnapshot snapshot() const;
    /// Writes the verified query set (rejected queries left out, grades from the annotations) to file and the
    /// ground-truth masks of graded videos with chosen objects under masksDir/<query id>/<video key>/%05d.png
    /// plus masksDir/<query id>/<video key>.json (COCO RLE). Runs on a worker thread.
    static Status exportSet(TwinStore &store, const ExportSnapshot &snapshot, const std::string &file,
                            const std::string &masksDir, const CancelToken &cancel, const ProgressFn &progress);

signals:
    void querySetOpened(const QString &name);
    void currentQueryChanged(int index);
    void annotationChanged(const QString &queryId, const QString &videoKey);
    void currentVideoChanged(const QString &key);
    void errorOccurred(const QString &message);
    /// The stored annotations of the open set arrived (after openQuerySet or setStore).
    void annotationsLoaded();

private:
    Status push(const Annotation &before, const Annotation &after, const QString &text);
    /// Reads the open set's stored annotations on the database thread; those changed meanwhile keep their value.
    void loadStoredAnnotations();

    QThreadPool *m_storeThread = nullptr;
    quint64 m_loadGeneration = 0;

    std::shared_ptr<TwinStore> m_store;
    QuerySet m_set;
    QString m_name;
    QString m_path;
    int m_index = -1;
    QString m_video;
    QString m_shownQuery;
    std::map<std::pair<std::string, std::string>, Annotation> m_annotations;
    QUndoStack *m_undo = nullptr;
};

/// The annotator dock: the current query, its grades and verdict, and the keys that drive it.
class AnnotatorPanel : public QWidget {
    Q_OBJECT
public:
    AnnotatorPanel(AnnotatorController *controller, QWidget *parent);

    /// Shortcuts work only while annotator mode is on (so N or J mean nothing elsewhere). The owner adds
    /// keyActions() to its top-level window.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    QList<QAction *> keyActions() const { return m_keys; }

signals:
    void runRequested(const QString &query);
    void nextResultRequested();
    void previousResultRequested();
    void openRequested();
    void exportRequested();

private:
    void refresh();
    QAction *addKey(const QKeySequence &key, const QString &text, std::function<void()> fn);

    AnnotatorController *m_controller = nullptr;
    QLabel *m_set = nullptr;
    QLabel *m_position = nullptr;
    QLabel *m_query = nullptr;
    QLabel *m_details = nullptr;
    QLabel *m_video = nullptr;
    QLabel *m_verdict = nullptr;
    QPushButton *m_export = nullptr;
    QList<QAction *> m_keys;
    bool m_active = false;
};

} // namespace ts
