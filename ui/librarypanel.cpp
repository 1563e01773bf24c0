#include "librarypanel.h"

#include "ingestqueue.h"
#include "librarymodel.h"
#include "progressdelegate.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QThreadPool>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ts {

LibraryPanel::LibraryPanel(LibraryModel *model, IngestQueue *queue, QWidget *parent)
    : QWidget(parent), m_model(model), m_queue(queue)
{
    m_storeThread = new QThreadPool(this);
    m_storeThread->setMaxThreadCount(1);
    auto *toolbar = new QToolBar(this);
    toolbar->setIconSize(QSize(18, 18));
    toolbar->setToolButtonStyle(Qt::ToolButtonIconOnly);
    QStyle *st = style();
    m_addFolder = toolbar->addAction(st->standardIcon(QStyle::SP_DirOpenIcon), tr("Add Folder…"));
    m_addFolder->setToolTip(tr("Ingest every video in a folder and watch it for new files"));
    m_addFiles = toolbar->addAction(st->standardIcon(QStyle::SP_FileIcon), tr("Add Files…"));
    m_addFiles->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    m_addFiles->setToolTip(tr("Ingest video files (Ctrl+I)"));
    toolbar->addSeparator();
    m_remove = toolbar->addAction(st->standardIcon(QStyle::SP_TrashIcon), tr("Remove…"));
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_remove->setToolTip(tr("Remove the selected videos from the library (Del)"));
    m_reingest = toolbar->addAction(st->standardIcon(QStyle::SP_BrowserReload), tr("Re-ingest"));
    m_reingest->setToolTip(tr("Build the selected videos' twins again"));
    m_cancel = toolbar->addAction(st->standardIcon(QStyle::SP_BrowserStop), tr("Cancel Ingest"));
    m_cancel->setToolTip(tr("Stop ingesting the selected videos"));
    addAction(m_remove);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter videos"));
    m_filter->setClearButtonEnabled(true);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder);
    m_view->setItemDelegateForColumn(LibraryModel::Status, new ProgressDelegate(m_view));
    // The name takes what the dock leaves; by default the status and duration beside it, which fit a laptop's
    // narrow dock without a horizontal scroll bar. Size, tracks and path are a right-click on the header away.
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(24);
    header->setSectionResizeMode(LibraryModel::Key, QHeaderView::Stretch);
    // Status and duration as wide as their words ("ingesting" shows as a bar), not their header's sort marker.
    const QFontMetrics fm(header->font());
    m_view->setColumnWidth(LibraryModel::Status, fm.horizontalAdvance(tr("Status")) + 24);
    m_view->setColumnWidth(LibraryModel::Duration, fm.horizontalAdvance(tr("Duration")) + 12);
    for (int c : {LibraryModel::Size, LibraryModel::Tracks})
        header->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    header->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (int c = LibraryModel::Status; c < LibraryModel::ColumnCount; ++c) {
        auto *show = new QAction(m_model->headerData(c, Qt::Horizontal).toString(), header);
        show->setCheckable(true);
        show->setChecked(c <= LibraryModel::Duration);
        m_view->setColumnHidden(c, c > LibraryModel::Duration);
        connect(show, &QAction::toggled, this, [this, c](bool on) { m_view->setColumnHidden(c, !on); });
        header->addAction(show);
        m_columnActions.append(show);
    }
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addActions({m_addFiles, m_addFolder, m_reingest, m_cancel, m_remove});

    m_folders = new QListWidget(this);
    m_folders->setToolTip(tr("Watched folders: new videos in them are ingested automatically"));
    m_unwatch = new QAction(tr("Stop Watching"), m_folders);
    m_folders->addAction(m_unwatch);
    m_folders->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *foldersBox = new QWidget(this);
    auto *foldersLayout = new QVBoxLayout(foldersBox);
    foldersLayout->setContentsMargins(0, 0, 0, 0);
    foldersLayout->addWidget(new QLabel(tr("Watched folders"), foldersBox));
    foldersLayout->addWidget(m_folders);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(foldersBox);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(toolbar);
    layout->addWidget(m_filter);
    layout->addWidget(split, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_addFolder, &QAction::triggered, this, &LibraryPanel::addFolder);
    connect(m_addFiles, &QAction::triggered, this, &LibraryPanel::addFiles);
    connect(m_remove, &QAction::triggered, this, &LibraryPanel::removeSelected);
    connect(m_reingest, &QAction::triggered, this, &LibraryPanel::reingestSelected);
    connect(m_cancel, &QAction::triggered, this, &LibraryPanel::cancelSelected);
    connect(m_unwatch, &QAction::triggered, this, &LibraryPanel::unwatchSelectedFolder);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &LibraryPanel::updateActions);
    connect(m_view, &QTableView::activated, this, [this](const QModelIndex &index) {
        const QString key = m_proxy->mapToSource(index).siblingAtColumn(0).data(LibraryModel::KeyRole).toString();
        const int row = m_proxy->mapToSource(index).row();
        if (m_model->videoAt(row) && m_model->videoAt(row)->status == VideoStatus::Done)
            emit videoActivated(key);
    });

    connect(m_queue, &IngestQueue::stateChanged, m_model, &LibraryModel::setLiveState);
    // A selected row can start or stop ingesting without the selection changing (re-ingest, a folder scan).
    connect(m_queue, &IngestQueue::stateChanged, this, &LibraryPanel::updateActions);
    connect(m_queue, &IngestQueue::fileFinished, this,
            [this](const QString &path, const QString &key, IngestState state, const QString &message) {
                m_model->clearLiveState(path);
                refresh();
                updateActions();
                const QString name = key.isEmpty() ? QFileInfo(path).fileName() : key;
                switch (state) {
                case IngestState::Done: emit statusMessage(tr("%1: %2").arg(name, message)); break;
                case IngestState::Cancelled: emit statusMessage(tr("%1: ingest cancelled").arg(name)); break;
                default: emit statusMessage(tr("%1 could not be ingested: %2").arg(name, message)); break;
                }
            });
    connect(m_queue, &IngestQueue::problem, this, [this](const QString &path, const QString &message) {
        emit statusMessage(tr("%1: %2").arg(path, message));
    });
    connect(m_queue, &IngestQueue::watchedFoldersChanged, this, [this](const QStringList &folders) {
        m_folders->clear();
        m_folders->addItems(folders);
    });
    updateActions();
}

void LibraryPanel::setStore(std::shared_ptr<TwinStore> store)
{
    ++m_refreshGeneration; // a read of the previous library must not fill the model
    m_store = std::move(store);
    m_model->clear();
    refresh();
}

void LibraryPanel::refresh()
{
    updateActions();
    if (!m_store)
        return;
    const quint64 generation = ++m_refreshGeneration;
    const std::shared_ptr<TwinStore> store = m_store;
    QtConcurrent::run(m_storeThread, [store] { return LibraryModel::read(*store); })
        .then(this, [this, generation](LibraryModel::Snapshot snapshot) {
            if (generation != m_refreshGeneration)
                return; // a newer read is on its way (or the library changed)
            m_model->reload(std::move(snapshot));
            updateActions();
        });
}

QList<int> LibraryPanel::selectedRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &i : selected)
        rows.push_back(m_proxy->mapToSource(i).row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

QString LibraryPanel::currentKey() const
{
    const QList<int> rows = selectedRows();
    if (rows.isEmpty() || !m_model->videoAt(rows.first()))
        return {};
    return m_model->keyAt(rows.first());
}

void LibraryPanel::updateActions()
{
    const bool open = m_store != nullptr;
    const QList<int> rows = selectedRows();
    bool anyPending = false;
    bool anyStored = false;
    for (int r : rows) {
        anyPending |= m_queue->isPending(m_model->pathAt(r));
        anyStored |= m_model->videoAt(r) != nullptr;
    }
    m_addFolder->setEnabled(true); // without a library, the default one is made first
    m_addFiles->setEnabled(true);
    m_remove->setEnabled(open && !rows.isEmpty());
    m_reingest->setEnabled(open && anyStored);
    m_cancel->setEnabled(anyPending);
}

void LibraryPanel::addFolder()
{
    // First run: one step, the folder; the library is made in the standard place behind it.
    if (!m_store)
        emit libraryNeeded(); // the queue keeps the files until the library is open
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add Folder"));
    if (dir.isEmpty())
        return;
    m_queue->watchFolder(dir);
    const int n = m_queue->addPaths({dir});
    emit statusMessage(tr("%n file(s) queued from %1", nullptr, n).arg(dir));
}

void LibraryPanel::addFiles()
{
    if (!m_store)
        emit libraryNeeded();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add Videos"), QString(),
        tr("Videos (*.mp4 *.m4v *.mov *.avi *.mkv *.webm *.mpg *.mpeg *.ts *.wmv *.ogv);;All files (*)"));
    if (files.isEmpty())
        return;
    const int n = m_queue->addPaths(files);
    emit statusMessage(tr("%n file(s) queued", nullptr, n));
}

bool LibraryPanel::removeSelected()
{
    const QList<int> rows = selectedRows();
    if (rows.isEmpty())
        return false;
    QStringList keys;
    for (int r : rows)
        keys.push_back(m_model->keyAt(r));
    const QString question =
        rows.size() == 1
            ? tr("Remove %1 from the library? Its twin, annotations and search data are deleted; the video file stays.")
                  .arg(keys.first())
            : tr("Remove %n videos from the library? Their twins, annotations and search data are deleted; the video "
                 "files stay.",
                 nullptr, static_cast<int>(rows.size()));
    if (QMessageBox::question(this, tr("Remove Videos"), question, QMessageBox::Yes | QMessageBox::Cancel,
                              QMessageBox::Cancel) != QMessageBox::Yes)
        return false;
    QList<QPair<QString, QString>> videos;
    for (int r : rows)
        videos.push_back({m_model->videoAt(r) ? m_model->keyAt(r) : QString(), m_model->pathAt(r)});
    m_queue->remove(videos).then(this, [this, keys](const std::vector<Status> &statuses) {
        int count = 0;
        QStringList errors;
        for (size_t i = 0; i < statuses.size(); ++i) {
            if (statuses[i])
                ++count;
            else
                errors.push_back(tr("%1: %2").arg(keys.value(static_cast<int>(i)),
                                                  QString::fromStdString(statuses[i].message())));
        }
        refresh();
        if (!errors.isEmpty())
            QMessageBox::warning(this, tr("Remove Videos"),
                                 tr("Some videos could not be removed:\n%1").arg(errors.join('\n')));
        emit statusMessage(tr("%n video(s) removed", nullptr, count));
        emit removed(count, errors);
    });
    return true;
}

void LibraryPanel::reingestSelected()
{
    QStringList paths;
    for (int r : selectedRows())
        if (m_model->videoAt(r))
            paths.push_back(m_model->pathAt(r));
    if (paths.isEmpty())
        return;
    const int n = m_queue->addPaths(paths, IngestMode::Force);
    emit statusMessage(tr("%n file(s) queued again", nullptr, n));
}

void LibraryPanel::cancelSelected()
{
    for (int r : selectedRows())
        m_queue->cancel(m_model->pathAt(r));
}

void LibraryPanel::unwatchSelectedFolder()
{
    if (QListWidgetItem *item = m_folders->currentItem())
        m_queue->unwatchFolder(item->text());
}

void LibraryPanel::saveLayout(QSettings &settings) const
{
    QStringList shown;
    for (int c = 0; c < LibraryModel::ColumnCount; ++c)
        if (!m_view->isColumnHidden(c))
            shown << QString::number(c);
    settings.setValue("library/columns", shown);
}

void LibraryPanel::restoreLayout(const QSettings &settings)
{
    if (!settings.contains("library/columns"))
        return;
    const QStringList shown = settings.value("library/columns").toStringList();
    for (int c = LibraryModel::Status; c < LibraryModel::ColumnCount; ++c)
        m_columnActions[c - LibraryModel::Status]->setChecked(shown.contains(QString::number(c)));
}

} // namespace ts
