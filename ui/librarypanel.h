// The library dock: videos with their ingest status, buttons to add, remove, re-ingest and cancel, a filter,
// and the watched folders.
#pragma once

#include <QWidget>

#include <memory>

class QAction;
class QLineEdit;
class QListWidget;
class QSortFilterProxyModel;
class QSettings;
class QTableView;
class QThreadPool;

namespace ts {

class IngestQueue;
class LibraryModel;
class TwinStore;

class LibraryPanel : public QWidget {
    Q_OBJECT
public:
    LibraryPanel(LibraryModel *model, IngestQueue *queue, QWidget *parent);

    void setStore(std::shared_ptr<TwinStore> store);
    /// Re-reads the videos from the store on the panel's store thread; the model follows when they arrive.
    void refresh();
    QTableView *view() const { return m_view; }
    QAction *addFolderAction() const { return m_addFolder; }
    QAction *addFilesAction() const { return m_addFiles; }
    QAction *removeAction() const { return m_remove; }
    QAction *cancelAction() const { return m_cancel; }
    QAction *reingestAction() const { return m_reingest; }
    /// Key of the selected video (empty when none or not stored yet).
    QString currentKey() const;

    /// Asks, then removes the selected videos on the store thread; removed() follows. False when nothing was asked
    /// for (no selection, or the user said no).
    bool removeSelected();

    /// The list's columns (which are shown, their widths) in the settings; the header's context menu picks them.
    void saveLayout(QSettings &settings) const;
    void restoreLayout(const QSettings &settings);
    /// The header's context menu: one checkable action per column but the name.
    QList<QAction *> columnActions() const { return m_columnActions; }

signals:
    /// Adding videos without an open library: the receiver opens one (the default library) before the panel goes on.
    void libraryNeeded();
    void videoActivated(const QString &key);
    void statusMessage(const QString &text);
    /// A removal ended: how many videos went, and one line per video that could not be removed.
    void removed(int count, const QStringList &errors);

private:
    QList<int> selectedRows() const;
    void updateActions();
    void addFolder();
    void addFiles();
    void reingestSelected();
    void cancelSelected();
    void unwatchSelectedFolder();

    LibraryModel *m_model = nullptr;
    IngestQueue *m_queue = nullptr;
    std::shared_ptr<TwinStore> m_store;
    QThreadPool *m_storeThread = nullptr;
    quint64 m_refreshGeneration = 0;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QList<QAction *> m_columnActions;
    QLineEdit *m_filter = nullptr;
    QListWidget *m_folders = nullptr;
    QAction *m_addFolder = nullptr;
    QAction *m_addFiles = nullptr;
    QAction *m_remove = nullptr;
    QAction *m_reingest = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_unwatch = nullptr;
};

} // namespace ts
