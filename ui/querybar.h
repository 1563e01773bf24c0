// The query bar: a text field with history, search and cancel, a busy indicator with the current stage, the
// retrieval options, and the decomposed sub-queries as chips.
#pragma once

#include "retrieval/engine.h"

#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QSettings;
class QSpinBox;
class QToolButton;

namespace ts {

class ChipsWidget;

class QueryBar : public QWidget {
    Q_OBJECT
public:
    QueryBar(QSettings *settings, QWidget *parent);

    QString text() const;
    void setText(const QString &text);
    /// History: the user's recent queries (settings) merged with those recorded in the library.
    void setLibraryHistory(const QStringList &recent);
    QStringList history() const;
    void addToHistory(const QString &query);
    RetrievalOptions options() const;

    void setBusy(bool busy);
    void setProgress(double fraction, const QString &stage);
    void setSubQueries(const std::vector<SubQuery> &subQueries, const QString &decomposer);
    void clearSubQueries();
    int chipCount() const;
    void focusQuery();
    static QString kindText(SubQueryKind kind);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    void searchRequested(const QString &query);
    void cancelRequested();

private:
    void submit();
    void rebuildHistory();

    QSettings *m_settings = nullptr;
    bool m_pickedFromList = false; ///< the history list is being clicked or Entered
    QComboBox *m_edit = nullptr;
    QComboBox *m_mode = nullptr; ///< fast / deep
    QToolButton *m_search = nullptr;
    QToolButton *m_cancel = nullptr;
    QToolButton *m_optionsButton = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_stage = nullptr;
    ChipsWidget *m_chips = nullptr;
    QLabel *m_decomposer = nullptr;
    QSpinBox *m_top = nullptr;
    QAction *m_decompose = nullptr;
    QAction *m_align = nullptr;
    QAction *m_reason = nullptr;
    QAction *m_jit = nullptr;
    QStringList m_userHistory;
    QStringList m_libraryHistory;
};

} // namespace ts
