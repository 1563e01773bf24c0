// The ranked videos of the current query for the results grid: rank, score, key, matched sub-queries, the
// grounded objects and a thumbnail with their masks (from ThumbnailCache).
#pragma once

#include "query/results.h"

#include <QAbstractListModel>
#include <QHash>

namespace ts {

class ThumbnailCache;

class ResultsModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        KeyRole = Qt::UserRole + 1,
        RankRole,
        ScoreRole,
        RelevanceRole,
        SatisfiedRole, ///< QList<int>: indices of the sub-queries this video satisfies
        SubQueryCountRole,
        ThumbnailRole, ///< QImage, null while it is being decoded
        ThumbnailFailedRole,
        ObjectsRole, ///< QStringList: "#track label" of the grounded objects
        GradeRole, ///< annotator grade 2/1/0, -1 when not graded
    };

    ResultsModel(ThumbnailCache *thumbnails, QObject *parent);

    /// The final ranking of a query; ends a provisional one.
    void setResult(const QueryResult &result);
    /// Starts showing a running query's verdicts as they arrive (no results yet).
    void beginProvisional(const QString &query, const std::vector<SubQuery> &subQueries, const QString &decomposer);
    /// Adds or updates one video of the provisional ranking, kept ordered by score.
    void addProvisional(const VideoResult &result);
    /// True between beginProvisional() and the final setResult() (or clear()).
    bool isProvisional() const { return m_provisional; }
    void clear();
    const QueryResult &result() const { return m_result; }
    const VideoResult *resultAt(int row) const;
    int rowOfKey(const QString &key) const;
    /// Grades shown on the cards in annotator mode (key -> grade).
    void setGrades(const QHash<QString, int> &grades);
    void setGrade(const QString &key, int grade);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    static std::vector<TrackId> groundedTracks(const VideoResult &r);

private:
    ThumbnailCache *m_thumbnails = nullptr;
    QueryResult m_result;
    QHash<QString, int> m_grades;
    bool m_provisional = false;
};

} // namespace ts
