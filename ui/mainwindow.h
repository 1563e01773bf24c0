// The desktop explorer's main window: library, query, results, inspector and timeline.
#pragma once

#include "services.h"
#include "tasks/taskmanager.h"

#include <QMainWindow>

#include <memory>

class QTableView;
class QLabel;

namespace ts {

class LibraryModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(Services &services, TaskManager &tasks, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens (or creates) a library database; false with a message box on failure.
    bool openLibrary(const QString &path);
    /// Queues ingestion of files or folders in the background.
    void addPaths(const QStringList &paths);
    TwinStore *store() const { return m_store.get(); }
    LibraryModel *libraryModel() const { return m_library; }

private:
    void buildMenus();
    void refreshLibrary();

    Services &m_services;
    TaskManager &m_tasks;
    std::unique_ptr<TwinStore> m_store;
    LibraryModel *m_library = nullptr;
    QTableView *m_libraryView = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace ts
