#include "resultsmodel.h"

#include "thumbnailcache.h"

#include <QImage>
#include <QLocale>

#include <algorithm>

namespace ts {

ResultsModel::ResultsModel(ThumbnailCache *thumbnails, QObject *parent)
    : QAbstractListModel(parent), m_thumbnails(thumbnails)
{
    if (m_thumbnails)
        connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, [this](const QString &key) {
            const int r = rowOfKey(key);
            if (r >= 0)
                emit dataChanged(index(r), index(r), {ThumbnailRole, ThumbnailFailedRole, Qt::DecorationRole});
        });
}

void ResultsModel::setResult(const QueryResult &result)
{
    beginResetModel();
    m_result = result;
    m_provisional = false;
    endResetModel();
}

void ResultsModel::beginProvisional(const QString &query, const std::vector<SubQuery> &subQueries,
                                    const QString &decomposer)
{
    beginResetModel();
    m_result = {};
    m_result.query = query.toStdString();
    m_result.subQueries = subQueries;
    m_result.decomposer = decomposer.toStdString();
    m_provisional = true;
    endResetModel();
}

void ResultsModel::addProvisional(const VideoResult &result)
{
    std::vector<VideoResult> &rows = m_result.results;
    const int old = rowOfKey(QString::fromStdString(result.key));
    if (old >= 0) {
        beginRemoveRows({}, old, old);
        rows.erase(rows.begin() + old);
        endRemoveRows();
    }
    const auto at = std::find_if(rows.begin(), rows.end(),
                                 [&result](const VideoResult &r) { return r.score < result.score; });
    const int row = static_cast<int>(at - rows.begin());
    beginInsertRows({}, row, row);
    rows.insert(at, result);
    endInsertRows();
    for (size_t i = 0; i < rows.size(); ++i)
        rows[i].rank = static_cast<int>(i) + 1;
    emit dataChanged(index(0), index(rowCount() - 1), {RankRole});
}

void ResultsModel::clear()
{
    beginResetModel();
    m_provisional = false;
    m_result = {};
    m_grades.clear();
    endResetModel();
}

const VideoResult *ResultsModel::resultAt(int row) const
{
    return row >= 0 && row < rowCount() ? &m_result.results[static_cast<size_t>(row)] : nullptr;
}

int ResultsModel::rowOfKey(const QString &key) const
{
    const std::string k = key.toStdString();
    for (size_t i = 0; i < m_result.results.size(); ++i)
        if (m_result.results[i].key == k)
            return static_cast<int>(i);
    return -1;
}

void ResultsModel::setGrades(const QHash<QString, int> &grades)
{
    m_grades = grades;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {GradeRole});
}

void ResultsModel::setGrade(const QString &key, int grade)
{
    m_grades.insert(key, grade);
    const int r = rowOfKey(key);
    if (r >= 0)
        emit dataChanged(index(r), index(r), {GradeRole});
}

std::vector<TrackId> ResultsModel::groundedTracks(const VideoResult &r)
{
    std::vector<TrackId> tracks;
    for (const GroundedObject &o : r.objects)
        if (std::find(tracks.begin(), tracks.end(), o.trackId) == tracks.end())
            tracks.push_back(o.trackId);
    std::sort(tracks.begin(), tracks.end());
    return tracks;
}

int ResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_result.results.size());
}

QVariant ResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const VideoResult &r = m_result.results[static_cast<size_t>(index.row())];
    const QString key = QString::fromStdString(r.key);
    switch (role) {
    case Qt::DisplayRole:
    case KeyRole: return key;
    case RankRole: return r.rank;
    case ScoreRole: return r.score;
    case RelevanceRole: return r.relevance;
    case SatisfiedRole: {
        QList<int> s(r.satisfied.begin(), r.satisfied.end());
        return QVariant::fromValue(s);
    }
    case SubQueryCountRole: return static_cast<int>(m_result.subQueries.size());
    case ThumbnailRole:
    case Qt::DecorationRole:
        return m_thumbnails ? m_thumbnails->thumbnail(key, groundedTracks(r)) : QImage();
    case ThumbnailFailedRole: return m_thumbnails && m_thumbnails->hasFailed(key, groundedTracks(r));
    case ObjectsRole: {
        QStringList objects;
        for (const GroundedObject &o : r.objects)
            objects.push_back(QStringLiteral("#%1 %2").arg(o.trackId).arg(QString::fromStdString(o.label)));
        return objects;
    }
    case GradeRole: return m_grades.value(key, -1);
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << tr("%1 — rank %2, score %3").arg(key).arg(r.rank).arg(QLocale().toString(r.score, 'f', 3));
        if (r.relevance >= 0)
            lines << tr("Reasoning relevance %1 (%2)")
                         .arg(QLocale().toString(r.relevance, 'f', 2), QString::fromStdString(r.reasoner));
        lines << tr("Coarse score %1").arg(QLocale().toString(r.coarseScore, 'f', 3));
        for (size_t i = 0; i < m_result.subQueries.size(); ++i) {
            const bool met = std::find(r.satisfied.begin(), r.satisfied.end(), static_cast<int>(i)) != r.satisfied.end();
            lines << (met ? tr("✓ %1") : tr("✗ %1")).arg(QString::fromStdString(m_result.subQueries[i].text));
        }
        for (const GroundedObject &o : r.objects)
            lines << tr("Object #%1 %2").arg(o.trackId).arg(QString::fromStdString(o.label));
        return lines.join(QLatin1Char('\n'));
    }
    default: return {};
    }
}

QHash<int, QByteArray> ResultsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(KeyRole, "key");
    names.insert(RankRole, "rank");
    names.insert(ScoreRole, "score");
    names.insert(RelevanceRole, "relevance");
    names.insert(SatisfiedRole, "satisfied");
    names.insert(SubQueryCountRole, "subQueryCount");
    names.insert(ThumbnailRole, "thumbnail");
    names.insert(ThumbnailFailedRole, "thumbnailFailed");
    names.insert(ObjectsRole, "objects");
    names.insert(GradeRole, "grade");
    return names;
}

} // namespace ts
