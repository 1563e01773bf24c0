// Asks what to export (format, which objects, where) for the inspected video or a result.
#pragma once

#include "maskexport.h"

#include <QDialog>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace ts {

enum class ExportObjects { Grounded, Visible, All };

struct ExportRequest {
    MaskFormat format = MaskFormat::CocoRle;
    ExportObjects objects = ExportObjects::Grounded;
    QString destination;
};

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    /// hasGrounding / hasVisible say which object choices make sense for what is being exported.
    ExportDialog(const QString &videoKey, bool hasGrounding, bool hasVisible, const QString &startDir, QWidget *parent);
    ExportRequest request() const;

    static QString formatName(MaskFormat format);

private:
    void browse();
    void suggestDestination();
    void validate();

    QString m_key;
    QString m_startDir;
    QComboBox *m_format = nullptr;
    QComboBox *m_objects = nullptr;
    QLineEdit *m_destination = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace ts
