#include "mainwindow.h"

#include "ingest/ingestor.h"
#include "librarymodel.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableView>

namespace ts {

MainWindow::MainWindow(Services &services, TaskManager &tasks, QWidget *parent)
    : QMainWindow(parent), m_services(services), m_tasks(tasks)
{
    setWindowTitle(tr("TwinSeek"));
    m_library = new LibraryModel(this);
    m_libraryView = new QTableView(this);
    m_libraryView->setModel(m_library);
    m_libraryView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_libraryView->horizontalHeader()->setStretchLastSection(true);
    m_libraryView->verticalHeader()->hide();
    setCentralWidget(m_libraryView);
    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);
    buildMenus();
    resize(1280, 800);

    connect(&m_tasks, &TaskManager::taskProgress, this,
            [this](quint64, const QString &owner, double f, const QString &stage) {
                m_library->setLiveState(owner, tr("ingesting"), f);
                m_status->setText(tr("%1: %2").arg(owner, stage));
            });
    connect(&m_tasks, &TaskManager::taskFinished, this,
            [this](quint64, const QString &owner, bool ok, const QString &message) {
                m_library->clearLiveState(owner);
                refreshLibrary();
                m_status->setText(ok ? tr("%1 ingested").arg(owner) : tr("%1: %2").arg(owner, message));
            });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Library..."));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Open or Create Library"), QString(),
                                                          tr("TwinSeek libraries (*.sqlite)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            openLibrary(path);
    });
    QAction *add = file->addAction(tr("&Add Folder..."));
    connect(add, &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add Folder"));
        if (!dir.isEmpty())
            addPaths({dir});
    });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
}

bool MainWindow::openLibrary(const QString &path)
{
    auto store = Services::openStore(path.toStdString());
    if (!store) {
        QMessageBox::warning(this, tr("Cannot open library"), QString::fromStdString(store.message()));
        return false;
    }
    m_store = std::move(store).value();
    setWindowTitle(tr("TwinSeek - %1").arg(path));
    refreshLibrary();
    return true;
}

void MainWindow::refreshLibrary()
{
    if (m_store)
        m_library->reload(*m_store);
}

void MainWindow::addPaths(const QStringList &paths)
{
    if (!m_store)
        return;
    std::vector<IngestItem> problems;
    std::vector<std::string> list;
    for (const QString &p : paths)
        list.push_back(p.toStdString());
    const auto files = Ingestor::collectFiles(list, problems);
    for (const std::string &f : files) {
        const QString key = QFileInfo(QString::fromStdString(f)).completeBaseName();
        m_library->setLiveState(key, tr("queued"), 0.0);
        TwinStore *store = m_store.get();
        Services *services = &m_services;
        m_tasks.submit(TaskKind::Inference, key, tr("Ingest %1").arg(key),
                       [store, services, f](const CancelToken &cancel, const ProgressFn &progress) -> Status {
                           // Each task builds its own builder: sessions are not shared across threads.
                           Ingestor ingestor(*store, [services] { return services->makeBuilder({}); }, {});
                           auto builder = services->makeBuilder({});
                           const IngestItem item = ingestor.ingestFile(f, *builder, cancel, progress, false);
                           if (item.outcome == IngestOutcome::Failed)
                               return Status::error(item.message);
                           return Status::ok();
                       });
    }
}

} // namespace ts
