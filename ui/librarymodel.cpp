#include "librarymodel.h"

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QLocale>

namespace ts {

LibraryModel::LibraryModel(QObject *parent) : QAbstractTableModel(parent) {}

LibraryModel::Snapshot LibraryModel::read(const TwinStore &store)
{
    Snapshot s;
    s.copies = store.copies();
    s.videos = store.videos();
    return s;
}

void LibraryModel::reload(Snapshot snapshot)
{
    beginResetModel();
    m_rows.clear();
    QHash<QString, bool> stored;
    const auto &copies = snapshot.copies;
    for (VideoRow &v : snapshot.videos) {
        const QString path = QString::fromStdString(v.path);
        stored.insert(path, true);
        QStringList others;
        if (auto it = copies.find(v.id); it != copies.end())
            for (const std::string &c : it->second)
                others.push_back(QString::fromStdString(c));
        m_rows.push_back({path, std::move(v), others});
    }
    // Files still in flight that the store does not know yet get rows of their own, after the stored ones.
    QStringList pending;
    for (auto it = m_live.cbegin(); it != m_live.cend(); ++it)
        if (!stored.contains(it.key()))
            pending.push_back(it.key());
    pending.sort();
    for (const QString &p : pending)
        m_rows.push_back({p, std::nullopt, {}});
    endResetModel();
}

QStringList LibraryModel::copiesAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].copies : QStringList();
}

void LibraryModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_live.clear();
    endResetModel();
}

void LibraryModel::setLiveState(const QString &path, IngestState state, double progress, const QString &message)
{
    m_live[path] = {state, progress, message};
    const int r = rowOfPath(path);
    if (r >= 0) {
        emitRowChanged(r);
        return;
    }
    const int n = rowCount();
    beginInsertRows({}, n, n);
    m_rows.push_back({path, std::nullopt, {}});
    endInsertRows();
}

void LibraryModel::clearLiveState(const QString &path)
{
    if (!m_live.remove(path))
        return;
    const int r = rowOfPath(path);
    if (r < 0)
        return;
    if (m_rows[static_cast<size_t>(r)].video) {
        emitRowChanged(r);
        return;
    }
    beginRemoveRows({}, r, r);
    m_rows.erase(m_rows.begin() + r);
    endRemoveRows();
}

void LibraryModel::emitRowChanged(int row) { emit dataChanged(index(row, 0), index(row, ColumnCount - 1)); }

int LibraryModel::rowOfPath(const QString &path) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].path == path)
            return static_cast<int>(i);
    return -1;
}

int LibraryModel::rowOfKey(const QString &key) const
{
    const std::string k = key.toStdString();
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].video && m_rows[i].video->key == k)
            return static_cast<int>(i);
    return -1;
}

QString LibraryModel::keyAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const Entry &e = m_rows[static_cast<size_t>(row)];
    return e.video ? QString::fromStdString(e.video->key) : QFileInfo(e.path).completeBaseName();
}

QString LibraryModel::pathAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].path : QString();
}

const VideoRow *LibraryModel::videoAt(int row) const
{
    if (row < 0 || row >= rowCount() || !m_rows[static_cast<size_t>(row)].video)
        return nullptr;
    return &*m_rows[static_cast<size_t>(row)].video;
}

std::optional<LibraryModel::Live> LibraryModel::liveOf(const QString &path) const
{
    auto it = m_live.constFind(path);
    if (it == m_live.constEnd())
        return std::nullopt;
    return *it;
}

IngestState LibraryModel::stateAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return IngestState::Failed;
    const Entry &e = m_rows[static_cast<size_t>(row)];
    if (auto live = liveOf(e.path))
        return live->state;
    if (!e.video)
        return IngestState::Queued;
    return e.video->status == VideoStatus::Done ? IngestState::Done : IngestState::Failed;
}

QString LibraryModel::stateText(IngestState state)
{
    switch (state) {
    case IngestState::Queued: return tr("queued");
    case IngestState::Ingesting: return tr("ingesting");
    case IngestState::Done: return tr("done");
    case IngestState::Failed: return tr("failed");
    case IngestState::Cancelled: return tr("cancelled");
    }
    return {};
}

int LibraryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LibraryModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LibraryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &e = m_rows[static_cast<size_t>(index.row())];
    const std::optional<Live> live = liveOf(e.path);
    const IngestState state = stateAt(index.row());
    QString message;
    if (live)
        message = live->message;
    else if (e.video && e.video->status == VideoStatus::Failed)
        message = QString::fromStdString(e.video->error);

    switch (role) {
    case KeyRole: return keyAt(index.row());
    case PathRole: return e.path;
    case StateRole: return static_cast<int>(state);
    case ProgressRole:
        if (live)
            return live->progress;
        return state == IngestState::Done ? 1.0 : 0.0;
    case MessageRole: return message;
    case Qt::ToolTipRole: {
        QString tip = e.path;
        if (!e.copies.isEmpty())
            tip += QLatin1Char('\n') + tr("%n copy(ies) with the same content:", nullptr, int(e.copies.size())) +
                   QLatin1Char('\n') + e.copies.join(QLatin1Char('\n'));
        if (!message.isEmpty())
            tip += QLatin1Char('\n') + message;
        return tip;
    }
    case Qt::ForegroundRole:
        if (index.column() == Status && (state == IngestState::Failed || state == IngestState::Cancelled))
            return QBrush(QColor(190, 40, 40));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Duration || index.column() == Tracks)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }

    switch (index.column()) {
    case Key: return keyAt(index.row());
    case Status:
        if (state == IngestState::Failed && !message.isEmpty())
            return tr("failed: %1").arg(message);
        if (state == IngestState::Ingesting && live)
            return tr("ingesting %1%").arg(qRound(live->progress * 100));
        return stateText(state);
    case Duration:
        return e.video && e.video->durationMs > 0 ? tr("%1 s").arg(QLocale().toString(e.video->durationMs / 1000.0, 'f', 1))
                                                  : QString();
    case Size:
        return e.video && e.video->width > 0 ? QStringLiteral("%1×%2").arg(e.video->width).arg(e.video->height)
                                             : QString();
    case Tracks: return e.video && e.video->status == VideoStatus::Done ? QVariant(e.video->tracks) : QVariant();
    case Path: return e.path;
    default: return {};
    }
}

QVariant LibraryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Key: return tr("Video");
    case Status: return tr("Status");
    case Duration: return tr("Duration");
    case Size: return tr("Size");
    case Tracks: return tr("Tracks");
    case Path: return tr("Path");
    default: return {};
    }
}

} // namespace ts
