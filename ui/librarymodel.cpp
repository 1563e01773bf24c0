#include "librarymodel.h"

#include <QBrush>
#include <QColor>

namespace ts {

LibraryModel::LibraryModel(QObject *parent) : QAbstractTableModel(parent) {}

void LibraryModel::reload(const TwinStore &store)
{
    beginResetModel();
    m_rows = store.videos();
    endResetModel();
}

void LibraryModel::setLiveState(const QString &key, const QString &state, double progress)
{
    m_live[key] = {state, progress};
    const int r = rowOfKey(key);
    if (r >= 0)
        emit dataChanged(index(r, Status), index(r, Status));
}

void LibraryModel::clearLiveState(const QString &key)
{
    m_live.remove(key);
    const int r = rowOfKey(key);
    if (r >= 0)
        emit dataChanged(index(r, Status), index(r, Status));
}

int LibraryModel::rowOfKey(const QString &key) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (QString::fromStdString(m_rows[i].key) == key)
            return static_cast<int>(i);
    return -1;
}

const VideoRow *LibraryModel::rowAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<size_t>(row)] : nullptr;
}

int LibraryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LibraryModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LibraryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_rows.size()))
        return {};
    const VideoRow &r = m_rows[static_cast<size_t>(index.row())];
    const QString key = QString::fromStdString(r.key);
    auto live = m_live.constFind(key);
    if (role == KeyRole)
        return key;
    if (role == ProgressRole)
        return live != m_live.constEnd() ? live->progress : (r.status == VideoStatus::Done ? 1.0 : 0.0);
    if (role == StatusRole || (role == Qt::DisplayRole && index.column() == Status)) {
        if (live != m_live.constEnd())
            return live->progress > 0 && live->progress < 1
                       ? tr("%1 %2%").arg(live->state).arg(static_cast<int>(live->progress * 100))
                       : live->state;
        return r.status == VideoStatus::Done ? tr("done") : tr("failed: %1").arg(QString::fromStdString(r.error));
    }
    if (role == Qt::ToolTipRole)
        return r.error.empty() ? QString::fromStdString(r.path) : QString::fromStdString(r.error);
    if (role == Qt::ForegroundRole && index.column() == Status && r.status == VideoStatus::Failed)
        return QBrush(QColor(200, 40, 40));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Key: return key;
    case Duration: return QString::number(r.durationMs / 1000.0, 'f', 1) + " s";
    case Size: return r.width > 0 ? QStringLiteral("%1x%2").arg(r.width).arg(r.height) : QString();
    case Tracks: return r.tracks;
    case Path: return QString::fromStdString(r.path);
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
