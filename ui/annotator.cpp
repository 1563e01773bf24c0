#include "annotator.h"

#include "maskexport.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QThreadPool>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <nlohmann/json.hpp>

namespace ts {

namespace {

/// One change of one annotation row; redo and undo write the row to the library at once (on the database thread).
class AnnotationCommand : public QUndoCommand {
public:
    AnnotationCommand(AnnotatorController *controller, Annotation before, Annotation after, const QString &text)
        : QUndoCommand(text), m_controller(controller), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void redo() override
    {
        // The change was applied when the command was pushed.
        if (m_applied) {
            m_applied = false;
            return;
        }
        m_controller->apply(m_after);
    }
    void undo() override { m_controller->apply(m_before); }

private:
    AnnotatorController *m_controller;
    Annotation m_before;
    Annotation m_after;
    bool m_applied = true;
};

std::string objectsToJson(const QSet<TrackId> &tracks)
{
    QList<TrackId> sorted(tracks.begin(), tracks.end());
    std::sort(sorted.begin(), sorted.end());
    nlohmann::json j = nlohmann::json::array();
    for (TrackId t : sorted)
        j.push_back({{"track", t}});
    return j.dump();
}

QSet<TrackId> objectsFromJson(const std::string &text)
{
    QSet<TrackId> out;
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_array())
        return out;
    for (const auto &o : j)
        if (o.is_object() && o.contains("track") && o["track"].is_number_integer())
            out.insert(o["track"].get<TrackId>());
    return out;
}

} // namespace

AnnotatorController::AnnotatorController(QObject *parent) : QObject(parent)
{
    m_undo = new QUndoStack(this);
    // One thread: writes land in the order they were made, and a load sees every write queued before it. Deleting
    // the pool (with the controller) waits for the writes still queued.
    m_storeThread = new QThreadPool(this);
    m_storeThread->setMaxThreadCount(1);
}

void AnnotatorController::setStore(std::shared_ptr<TwinStore> store)
{
    m_store = std::move(store);
    m_undo->clear();
    m_annotations.clear();
    loadStoredAnnotations();
}

void AnnotatorController::waitForWrites() { m_storeThread->waitForDone(); }

void AnnotatorController::loadStoredAnnotations()
{
    const quint64 generation = ++m_loadGeneration;
    if (!m_store || !isOpen())
        return;
    const std::shared_ptr<TwinStore> store = m_store;
    const std::string set = m_name.toStdString();
    QtConcurrent::run(m_storeThread, [store, set] { return store->annotations(set); })
        .then(this, [this, generation](const std::vector<Annotation> &stored) {
            if (generation != m_loadGeneration)
                return; // another set or library was opened meanwhile
            for (const Annotation &a : stored)
                m_annotations.try_emplace({a.queryId, a.videoKey}, a);
            emit annotationsLoaded();
        });
}

Status AnnotatorController::openQuerySet(const QString &path, QStringList *warnings)
{
    auto set = loadQuerySet(path.toStdString());
    if (!set)
        return set.status();
    if (set->queries.empty())
        return Status::error(set->errors.empty() ? "the file holds no queries" : "no valid query: " + set->errors.front());
    if (warnings) {
        for (const std::string &e : set->errors)
            warnings->push_back(QString::fromStdString(e));
        for (const std::string &w : set->warnings)
            warnings->push_back(QString::fromStdString(w));
    }
    m_set = std::move(set).value();
    m_path = QFileInfo(path).absoluteFilePath();
    m_name = QFileInfo(path).completeBaseName();
    m_video.clear();
    m_undo->clear();
    m_annotations.clear();
    loadStoredAnnotations();
    m_index = -1;
    emit querySetOpened(m_name);
    setCurrentIndex(0);
    return Status::ok();
}

const BenchQuery *AnnotatorController::currentQuery() const
{
    return m_index >= 0 && m_index < static_cast<int>(m_set.queries.size()) ? &m_set.queries[static_cast<size_t>(m_index)]
                                                                            : nullptr;
}

void AnnotatorController::setCurrentIndex(int index)
{
    if (m_set.queries.empty())
        return;
    index = std::clamp(index, 0, static_cast<int>(m_set.queries.size()) - 1);
    if (index == m_index)
        return;
    m_index = index;
    m_video.clear();
    emit currentQueryChanged(index);
}

void AnnotatorController::setCurrentVideo(const QString &key)
{
    if (key == m_video)
        return;
    m_video = key;
    emit currentVideoChanged(key);
}

Annotation AnnotatorController::annotationFor(const QString &queryId, const QString &videoKey) const
{
    auto it = m_annotations.find({queryId.toStdString(), videoKey.toStdString()});
    if (it != m_annotations.end())
        return it->second;
    Annotation a;
    a.querySet = m_name.toStdString();
    a.queryId = queryId.toStdString();
    a.videoKey = videoKey.toStdString();
    a.grade = -1;
    a.objectsJson = "[]";
    return a;
}

Status AnnotatorController::apply(const Annotation &annotation)
{
    if (!m_store) {
        emit errorOccurred(tr("No library is open: the annotation was not saved."));
        return Status::error("no library is open");
    }
    if (m_store->isReadOnly()) {
        emit errorOccurred(tr("The library is read-only: the annotation was not saved."));
        return Status::error("the library is read-only");
    }
    const std::shared_ptr<TwinStore> store = m_store;
    QtConcurrent::run(m_storeThread, [store, annotation] { return store->putAnnotation(annotation); })
        .then(this, [this, store](const Status &s) {
            if (s || store != m_store)
                return;
            // The view must not show what the library does not hold: back to the stored annotations.
            emit errorOccurred(tr("Could not save the annotation: %1").arg(QString::fromStdString(s.message())));
            m_undo->clear();
            m_annotations.clear();
            loadStoredAnnotations();
        });
    m_annotations[{annotation.queryId, annotation.videoKey}] = annotation;
    emit annotationChanged(QString::fromStdString(annotation.queryId), QString::fromStdString(annotation.videoKey));
    return Status::ok();
}

Status AnnotatorController::push(const Annotation &before, const Annotation &after, const QString &text)
{
    if (!m_store)
        return Status::error(tr("Open a library first.").toStdString());
    // A change that cannot be saved (no writable library) is not put on the stack.
    const Status s = apply(after);
    if (!s)
        return s;
    m_undo->push(new AnnotationCommand(this, before, after, text));
    return Status::ok();
}

std::string AnnotatorController::shownQueryProblem(const BenchQuery &query) const
{
    const QString wanted = QString::fromStdString(query.query).trimmed();
    if (m_shownQuery == wanted)
        return {};
    if (m_shownQuery.isEmpty())
        return tr("Run the query “%1” first (Ctrl+Enter).").arg(wanted).toStdString();
    return tr("The results shown are for “%1”, not for the query being annotated (“%2”); run it first (Ctrl+Enter).")
        .arg(m_shownQuery, wanted)
        .toStdString();
}

Status AnnotatorController::grade(int grade)
{
    const BenchQuery *q = currentQuery();
    if (!q)
        return Status::error(tr("Open a query set first.").toStdString());
    if (const std::string why = shownQueryProblem(*q); !why.empty())
        return Status::error(why);
    if (m_video.isEmpty())
        return Status::error(tr("Select a result to grade.").toStdString());
    const QString id = QString::fromStdString(q->id);
    const Annotation before = annotationFor(id, m_video);
    Annotation after = before;
    after.grade = std::clamp(grade, 0, 2);
    return push(before, after, tr("Grade %1 for %2 (%3)").arg(after.grade).arg(m_video, id));
}

Status AnnotatorController::setVerdict(const QString &verdict)
{
    const BenchQuery *q = currentQuery();
    if (!q)
        return Status::error(tr("Open a query set first.").toStdString());
    if (const std::string why = shownQueryProblem(*q); !why.empty())
        return Status::error(why);
    const QString id = QString::fromStdString(q->id);
    const Annotation before = annotationFor(id, QString());
    Annotation after = before;
    after.verdict = verdict.toStdString();
    return push(before, after, verdict == QLatin1String("rejected") ? tr("Reject %1").arg(id) : tr("Accept %1").arg(id));
}

Status AnnotatorController::toggleObject(TrackId track)
{
    const BenchQuery *q = currentQuery();
    if (!q || m_video.isEmpty())
        return Status::error(tr("Select a result of the current query first.").toStdString());
    if (const std::string why = shownQueryProblem(*q); !why.empty())
        return Status::error(why);
    const QString id = QString::fromStdString(q->id);
    const Annotation before = annotationFor(id, m_video);
    QSet<TrackId> objects = objectsFromJson(before.objectsJson);
    if (objects.contains(track))
        objects.remove(track);
    else
        objects.insert(track);
    Annotation after = before;
    after.objectsJson = objectsToJson(objects);
    return push(before, after, tr("Ground-truth object #%1 in %2").arg(track).arg(m_video));
}

int AnnotatorController::gradeOf(const QString &queryId, const QString &videoKey) const
{
    auto it = m_annotations.find({queryId.toStdString(), videoKey.toStdString()});
    if (it != m_annotations.end() && it->second.grade >= 0)
        return it->second.grade;
    for (const BenchQuery &q : m_set.queries)
        if (q.id == queryId.toStdString()) {
            auto r = q.relevant.find(videoKey.toStdString());
            return r != q.relevant.end() ? r->second : -1;
        }
    return -1;
}

QString AnnotatorController::verdictOf(const QString &queryId) const
{
    auto it = m_annotations.find({queryId.toStdString(), std::string()});
    return it != m_annotations.end() ? QString::fromStdString(it->second.verdict) : QString();
}

QSet<TrackId> AnnotatorController::objectsOf(const QString &queryId, const QString &videoKey) const
{
    auto it = m_annotations.find({queryId.toStdString(), videoKey.toStdString()});
    return it != m_annotations.end() ? objectsFromJson(it->second.objectsJson) : QSet<TrackId>();
}

QHash<QString, int> AnnotatorController::gradesForCurrentQuery() const
{
    QHash<QString, int> grades;
    const BenchQuery *q = currentQuery();
    if (!q)
        return grades;
    for (const auto &[key, g] : q->relevant)
        grades.insert(QString::fromStdString(key), g);
    for (const auto &[k, a] : m_annotations)
        if (k.first == q->id && !k.second.empty() && a.grade >= 0)
            grades.insert(QString::fromStdString(k.second), a.grade);
    return grades;
}

AnnotatorController::ExportSnapshot AnnotatorController::snapshot() const
{
    return {m_name.toStdString(), m_set.queries, m_annotations};
}

Status AnnotatorController::exportSet(TwinStore &store, const ExportSnapshot &snap, const std::string &file,
                                      const std::string &masksDir, const CancelToken &cancel,
                                      const ProgressFn &progress)
{
    const QDir fileDir = QFileInfo(QString::fromStdString(file)).absoluteDir();
    std::vector<BenchQuery> out;
    // Work list first, so progress is meaningful.
    struct MaskJob {
        size_t query;
        std::string key;
        std::vector<TrackId> tracks;
    };
    std::vector<MaskJob> jobs;
    for (const BenchQuery &original : snap.queries) {
        auto verdict = snap.annotations.find({original.id, std::string()});
        if (verdict != snap.annotations.end() && verdict->second.verdict == "rejected")
            continue;
        BenchQuery q = original;
        q.line = 0;
        for (const auto &[k, a] : snap.annotations) {
            if (k.first != q.id || k.second.empty())
                continue;
            if (a.grade > 0)
                q.relevant[k.second] = a.grade;
            else if (a.grade == 0)
                q.relevant.erase(k.second);
            const QSet<TrackId> objects = objectsFromJson(a.objectsJson);
            if (!objects.isEmpty() && q.grade(k.second) > 0) {
                std::vector<TrackId> tracks(objects.begin(), objects.end());
                std::sort(tracks.begin(), tracks.end());
                jobs.push_back({out.size(), k.second, std::move(tracks)});
            }
        }
        if (verdict != snap.annotations.end() && !verdict->second.verdict.empty())
            q.extraJson["verdict"] = nlohmann::json(verdict->second.verdict).dump();
        out.push_back(std::move(q));
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (cancel.isCancelled())
            return Status::cancelled();
        const MaskJob &job = jobs[i];
        BenchQuery &q = out[job.query];
        auto twin = store.loadTwin(job.key);
        if (!twin)
            return Status::error("cannot load the twin of " + job.key + ": " + twin.message());
        const QString folder = QDir(QString::fromStdString(masksDir))
                                   .filePath(QString::fromStdString(q.id) + QLatin1Char('/') + QString::fromStdString(job.key));
        QDir(folder).removeRecursively(); // a re-export replaces the previous masks
        if (!QDir().mkpath(QFileInfo(folder).absolutePath()))
            return Status::error("cannot create " + QFileInfo(folder).absolutePath().toStdString());
        const ProgressFn sub = [&](double f, const std::string &stage) {
            if (progress)
                progress((i + f) / jobs.size() * 0.95, job.key + ": " + stage);
        };
        Status s = exportMasks(*twin, job.tracks, MaskFormat::DavisPng, folder.toStdString(), cancel, sub);
        if (s)
            s = exportMasks(*twin, job.tracks, MaskFormat::CocoRle, (folder + QStringLiteral(".json")).toStdString(),
                            cancel, {});
        if (!s)
            return s;
        q.ground[job.key] = fileDir.relativeFilePath(folder).toStdString();
    }
    if (cancel.isCancelled())
        return Status::cancelled();
    const Status s = saveQuerySet(file, out);
    if (s && progress)
        progress(1.0, "done");
    return s;
}

// ---------------------------------------------------------------------------------------------------------------

AnnotatorPanel::AnnotatorPanel(AnnotatorController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    m_set = new QLabel(this);
    m_position = new QLabel(this);
    m_query = new QLabel(this);
    m_query->setWordWrap(true);
    QFont big = m_query->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_query->setFont(big);
    m_query->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details = new QLabel(this);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_video = new QLabel(this);
    m_video->setWordWrap(true);
    m_verdict = new QLabel(this);

    auto *open = new QPushButton(tr("Open Query Set…"), this);
    auto *run = new QPushButton(tr("Run (Ctrl+Enter)"), this);
    m_export = new QPushButton(tr("Export…"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(open);
    buttons->addWidget(run);
    buttons->addWidget(m_export);

    auto *help = new QLabel(tr("<b>Keys</b>: N/P next/previous query (runs it) · Ctrl+Enter run again · J/K next/previous result · "
                               "2/1/0 grade · A accept · R reject · click an object to mark it as ground truth · "
                               "Ctrl+Z undo"),
                            this);
    help->setWordWrap(true);
    help->setForegroundRole(QPalette::PlaceholderText);

    auto *form = new QFormLayout;
    form->addRow(tr("Query set:"), m_set);
    form->addRow(tr("Query:"), m_position);
    form->addRow(tr("Verdict:"), m_verdict);
    form->addRow(tr("Video:"), m_video);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addLayout(form);
    layout->addWidget(m_query);
    layout->addWidget(m_details);
    layout->addStretch(1);
    layout->addWidget(help);

    connect(open, &QPushButton::clicked, this, &AnnotatorPanel::openRequested);
    connect(m_export, &QPushButton::clicked, this, &AnnotatorPanel::exportRequested);
    auto runCurrent = [this] {
        if (const BenchQuery *q = m_controller->currentQuery())
            emit runRequested(QString::fromStdString(q->query));
    };
    connect(run, &QPushButton::clicked, this, runCurrent);

    auto report = [this](const Status &s) {
        if (!s)
            emit m_controller->errorOccurred(QString::fromStdString(s.message()));
    };
    addKey(QKeySequence(Qt::Key_N), tr("Next query"), [this] { m_controller->nextQuery(); });
    addKey(QKeySequence(Qt::Key_P), tr("Previous query"), [this] { m_controller->previousQuery(); });
    addKey(QKeySequence(Qt::Key_J), tr("Next result"), [this] { emit nextResultRequested(); });
    addKey(QKeySequence(Qt::Key_K), tr("Previous result"), [this] { emit previousResultRequested(); });
    addKey(QKeySequence(Qt::Key_2), tr("Grade 2 (correct)"), [this, report] { report(m_controller->grade(2)); });
    addKey(QKeySequence(Qt::Key_1), tr("Grade 1 (partial)"), [this, report] { report(m_controller->grade(1)); });
    addKey(QKeySequence(Qt::Key_0), tr("Grade 0 (irrelevant)"), [this, report] { report(m_controller->grade(0)); });
    addKey(QKeySequence(Qt::Key_A), tr("Accept the query"),
           [this, report] { report(m_controller->setVerdict(QStringLiteral("accepted"))); });
    addKey(QKeySequence(Qt::Key_R), tr("Reject the query"),
           [this, report] { report(m_controller->setVerdict(QStringLiteral("rejected"))); });
    addKey(QKeySequence(Qt::CTRL | Qt::Key_Return), tr("Run the query again"), runCurrent);

    connect(m_controller, &AnnotatorController::querySetOpened, this, &AnnotatorPanel::refresh);
    connect(m_controller, &AnnotatorController::currentQueryChanged, this, &AnnotatorPanel::refresh);
    connect(m_controller, &AnnotatorController::annotationChanged, this, &AnnotatorPanel::refresh);
    connect(m_controller, &AnnotatorController::currentVideoChanged, this, &AnnotatorPanel::refresh);
    connect(m_controller, &AnnotatorController::annotationsLoaded, this, &AnnotatorPanel::refresh);
    setActive(false);
    refresh();
}

QAction *AnnotatorPanel::addKey(const QKeySequence &key, const QString &text, std::function<void()> fn)
{
    auto *a = new QAction(text, this);
    a->setShortcut(key);
    // Window-wide (the main window adds these actions to itself so they work wherever the focus is), but text
    // fields keep their keys: a QLineEdit claims printable keys before shortcuts see them.
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, [fn = std::move(fn)] { fn(); });
    m_keys.push_back(a);
    return a;
}

void AnnotatorPanel::setActive(bool active)
{
    m_active = active;
    for (QAction *a : std::as_const(m_keys))
        a->setEnabled(active);
}

void AnnotatorPanel::refresh()
{
    const BenchQuery *q = m_controller->currentQuery();
    m_export->setEnabled(m_controller->isOpen());
    if (!m_controller->isOpen() || !q) {
        m_set->setText(tr("none — open a query set (JSON Lines)"));
        m_position->clear();
        m_query->clear();
        m_details->clear();
        m_video->clear();
        m_verdict->clear();
        return;
    }
    const QString id = QString::fromStdString(q->id);
    m_set->setText(m_controller->querySetName());
    m_position->setText(tr("%1 (%2 of %3)").arg(id).arg(m_controller->currentIndex() + 1).arg(m_controller->querySet().queries.size()));
    m_query->setText(QString::fromStdString(q->query));
    QStringList details;
    if (!q->type.empty())
        details << tr("Type: %1").arg(QString::fromStdString(q->type));
    QStringList relevant;
    const QHash<QString, int> grades = m_controller->gradesForCurrentQuery();
    for (auto it = grades.cbegin(); it != grades.cend(); ++it)
        relevant << QStringLiteral("%1 = %2").arg(it.key()).arg(it.value());
    relevant.sort();
    details << (relevant.isEmpty() ? tr("No graded videos (a no-answer control unless you grade one)")
                                   : tr("Grades: %1").arg(relevant.join(QStringLiteral(", "))));
    m_details->setText(details.join(QLatin1Char('\n')));
    const QString verdict = m_controller->verdictOf(id);
    m_verdict->setText(verdict == QLatin1String("accepted")   ? tr("accepted")
                       : verdict == QLatin1String("rejected") ? tr("rejected")
                                                              : tr("not yet verified"));
    const QString video = m_controller->currentVideo();
    if (video.isEmpty()) {
        m_video->setText(tr("select a result (J/K)"));
    } else {
        const int g = m_controller->gradeOf(id, video);
        QStringList objects;
        for (TrackId t : m_controller->objectsOf(id, video))
            objects << QStringLiteral("#%1").arg(t);
        objects.sort();
        m_video->setText(tr("%1 — grade %2; ground truth: %3")
                             .arg(video, g >= 0 ? QString::number(g) : tr("none"),
                                  objects.isEmpty() ? tr("no objects") : objects.join(QStringLiteral(", "))));
    }
}

} // namespace ts
