#include "trackmodel.h"

#include "maskoverlay.h"

#include <QFont>
#include <QLocale>

namespace ts {

TrackModel::TrackModel(QObject *parent) : QAbstractListModel(parent) {}

void TrackModel::setTracks(const std::vector<Track> &tracks)
{
    beginResetModel();
    m_tracks = tracks;
    m_hidden.clear();
    m_grounded.clear();
    m_marked.clear();
    endResetModel();
    emit visibilityChanged(m_hidden);
}

void TrackModel::setGrounded(const QSet<TrackId> &grounded)
{
    m_grounded = grounded;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::FontRole, GroundedRole, Qt::DisplayRole});
}

void TrackModel::setMarked(const QSet<TrackId> &marked)
{
    m_marked = marked;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {MarkedRole, Qt::DisplayRole});
}

void TrackModel::setAllVisible(bool visible)
{
    m_hidden.clear();
    if (!visible)
        for (const Track &t : m_tracks)
            m_hidden.insert(t.id);
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::CheckStateRole});
    emit visibilityChanged(m_hidden);
}

void TrackModel::showOnlyGrounded()
{
    m_hidden.clear();
    if (!m_grounded.isEmpty())
        for (const Track &t : m_tracks)
            if (!m_grounded.contains(t.id))
                m_hidden.insert(t.id);
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::CheckStateRole});
    emit visibilityChanged(m_hidden);
}

int TrackModel::rowOfTrack(TrackId id) const
{
    for (size_t i = 0; i < m_tracks.size(); ++i)
        if (m_tracks[i].id == id)
            return static_cast<int>(i);
    return -1;
}

const Track *TrackModel::trackAt(int row) const
{
    return row >= 0 && row < rowCount() ? &m_tracks[static_cast<size_t>(row)] : nullptr;
}

int TrackModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_tracks.size());
}

QVariant TrackModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Track &t = m_tracks[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole: {
        QString text = QStringLiteral("#%1 %2").arg(t.id).arg(QString::fromStdString(t.category.name));
        if (m_marked.contains(t.id))
            text += QStringLiteral(" ★");
        return text;
    }
    case Qt::DecorationRole: return trackColor(t.id);
    case Qt::CheckStateRole: return m_hidden.contains(t.id) ? Qt::Unchecked : Qt::Checked;
    case Qt::FontRole:
        if (m_grounded.contains(t.id)) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << tr("Track #%1: %2 (%3)").arg(t.id).arg(QString::fromStdString(t.category.name),
                                                       QString::fromStdString(t.category.model));
        lines << tr("Frames %1–%2, %3 observations").arg(t.firstFrame).arg(t.lastFrame).arg(t.observations);
        for (const auto &[name, attr] : t.attributes)
            lines << tr("%1: %2").arg(QString::fromStdString(name), QString::fromStdString(attr.value));
        if (m_grounded.contains(t.id))
            lines << tr("Satisfies the query");
        if (m_marked.contains(t.id))
            lines << tr("Ground truth (annotator)");
        return lines.join(QLatin1Char('\n'));
    }
    case TrackIdRole: return t.id;
    case GroundedRole: return m_grounded.contains(t.id);
    case MarkedRole: return m_marked.contains(t.id);
    default: return {};
    }
}

bool TrackModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::CheckStateRole || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    const TrackId id = m_tracks[static_cast<size_t>(index.row())].id;
    const bool visible = value.toInt() == Qt::Checked;
    if (visible == !m_hidden.contains(id))
        return true;
    if (visible)
        m_hidden.remove(id);
    else
        m_hidden.insert(id);
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit visibilityChanged(m_hidden);
    return true;
}

Qt::ItemFlags TrackModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable | Qt::ItemNeverHasChildren;
}

} // namespace ts
