"""Vietnamese texts the legal officers and the askers read, in one place for review."""

from __future__ import annotations

AUDIENCE_NAMES = {"students": "Học sinh", "staff": "Giáo viên, cán bộ", "everyone": "Mọi người"}

# Guided add/edit -------------------------------------------------------------------------

ASK_QUESTION = (
    "Thêm câu hỏi – đáp mới (bước 1/6).\n"
    "Gõ câu hỏi chính, viết đầy đủ như người dùng hay hỏi. Gõ /huybo để dừng bất cứ lúc nào."
)
ASK_QUESTION_FROM_QUEUE = (
    "Thêm câu hỏi – đáp mới từ câu hỏi của người dùng (bước 1/6):\n“{question}”\n\n"
    "Gõ câu hỏi chính (viết chuẩn, có dấu), hoặc bấm “Dùng nguyên câu này”. "
    "Câu gốc của người dùng sẽ được giữ làm một cách hỏi."
)
ASK_PHRASINGS = (
    "Bước 2/6: gõ các cách hỏi khác của cùng câu hỏi, mỗi dòng một cách (viết tắt, không dấu "
    "cũng nên có). Cần ít nhất {needed} cách nữa; gửi nhiều tin cũng được. Bấm “Xong” khi đủ."
)
PHRASINGS_SO_FAR = "Đã có {count} cách hỏi:\n{listing}"
PHRASINGS_NEED_MORE = (
    "Cần thêm ít nhất {missing} cách hỏi nữa (mỗi câu hỏi cần tối thiểu {total})."
)
ASK_ANSWER = (
    "Bước 3/6: gõ câu trả lời. Câu đầu tiên trả lời thẳng vào câu hỏi; tối đa {limit} ký tự "
    "kể cả dòng căn cứ. Dòng “Căn cứ: …” sẽ được thêm tự động ở bước sau."
)
ASK_BASIS = (
    "Bước 4/6: gõ căn cứ pháp lý, ví dụ:\n"
    "Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 1\n"
    "Nhiều căn cứ thì cách nhau bằng dấu “;” hoặc xuống dòng."
)
ASK_TOPIC = "Bước 5/6: chọn chủ đề (hoặc gõ mã, ví dụ T05):"
ASK_AUDIENCE = "Bước 6/6: câu hỏi này dành cho ai?"
PREVIEW_INTRO = "Xem trước – người dùng sẽ thấy đúng như sau:"
PREVIEW_CONFIRM = (
    "Mã: {id} · chủ đề {topic} · {audience} · {count} cách hỏi.\n"
    "Bấm “Lưu” để đăng, hoặc chọn phần cần sửa."
)
PREVIEW_WARNINGS = "Lưu ý:\n{warnings}"
EDIT_MENU = "Sửa câu hỏi “{id}”:\n{question}\n\nChọn phần cần sửa, rồi bấm “Xem trước và lưu”."
EDIT_QUESTIONS = (
    "Các cách hỏi hiện tại (dòng đầu là câu hỏi chính):\n{listing}\n\n"
    "Gửi lại toàn bộ danh sách mới, mỗi dòng một cách hỏi, dòng đầu là câu hỏi chính."
)
EDIT_ANSWER = "Câu trả lời hiện tại:\n\n{answer}\n\nGõ câu trả lời mới (không cần dòng căn cứ)."
EDIT_BASIS = "Căn cứ hiện tại:\n{basis}\n\nGõ căn cứ mới (thay cho toàn bộ căn cứ cũ)."
EDIT_NOTHING = "Chưa có thay đổi nào để lưu."
SAVED_NEW = "Đã lưu câu hỏi mới “{id}”. Người dùng hỏi là bot trả lời ngay."
SAVED_EDIT = "Đã lưu thay đổi của “{id}”."
CANCELLED = "Đã hủy, không có gì thay đổi."
CHANGED_MEANWHILE = (
    "Chưa lưu: câu hỏi này vừa được người khác sửa trong lúc bạn sửa. Hãy mở lại để sửa trên "
    "bản mới nhất."
)
INVALID = "Chưa lưu được vì:\n{problems}"
TOO_LONG_QUESTION = "Cách hỏi dài quá ({length} ký tự); mỗi cách hỏi tối đa {limit} ký tự."
TOO_LONG_ANSWER = "Câu trả lời dài quá ({length} ký tự, kể cả dòng căn cứ); tối đa {limit} ký tự."
EMPTY_TEXT = "Tin nhắn trống. Hãy gõ nội dung."
BASIS_INVALID = "Chưa đọc được căn cứ: {problem}"
BASIS_UNKNOWN = "Căn cứ chưa đúng:\n{problems}"
TOPIC_UNKNOWN = "Không có chủ đề “{code}”. Hãy chọn một nút bên dưới hoặc gõ mã như T05."
CHOOSE_BUTTON = "Hãy bấm một nút bên dưới, hoặc gõ /huybo để dừng."
DUPLICATE_PHRASING = "Cách hỏi “{text}” đã có, bỏ qua."

BUTTON_USE_QUESTION = "Dùng nguyên câu này"
BUTTON_DONE = "Xong"
BUTTON_SAVE = "✅ Lưu"
BUTTON_CANCEL = "❌ Hủy"
BUTTON_EDIT_MAIN = "Câu hỏi, cách hỏi"
BUTTON_EDIT_ANSWER = "Câu trả lời"
BUTTON_EDIT_BASIS = "Căn cứ"
BUTTON_EDIT_TOPIC = "Chủ đề"
BUTTON_EDIT_AUDIENCE = "Đối tượng"
BUTTON_MARK_CHECKED = "Đánh dấu đã rà soát xong"
BUTTON_PREVIEW = "Xem trước và lưu"
BUTTON_BACK = "« Quay lại, không đổi"
BUTTON_PREV = "« Trước"
BUTTON_NEXT = "Sau »"

# Review queue ----------------------------------------------------------------------------

QUEUE_EMPTY = "Không có câu hỏi nào đang chờ trả lời. 🎉"
QUEUE_INTRO = "{groups} câu hỏi đang chờ trả lời ({rows} lượt hỏi). Chọn một câu để xử lý:"
QUEUE_ITEM = "“{question}” – {count} lượt hỏi, lần cuối {last}"
QUEUE_DETAIL = (
    "Câu hỏi: “{question}”\n{count} lượt hỏi từ {askers} người, từ {first} đến {last}.\n"
    "{best}\nTrả lời bằng cách nào?"
)
QUEUE_BEST = "Câu có sẵn gần nhất: {id} – “{question}” (điểm {score:.0f})."
QUEUE_NO_BEST = "Chưa có câu có sẵn nào gần giống."
QUEUE_GONE = "Câu hỏi này đã được xử lý hoặc không còn trong hàng chờ."
QUEUE_ASK_ENTRY = (
    "Gõ vài từ để tìm câu hỏi có sẵn (hoặc gõ mã câu hỏi). Câu của người dùng sẽ được thêm "
    "làm một cách hỏi của câu đó."
)
QUEUE_PICK_ENTRY = "Chọn câu có sẵn để trả lời:"
QUEUE_NO_ENTRY = "Không tìm thấy câu nào phù hợp. Gõ lại từ khóa khác, hoặc /huybo."
QUEUE_ANSWERED = "Đã trả lời {rows} lượt hỏi bằng “{id}”{phrasing}."
QUEUE_PHRASING_ADDED = " và thêm câu hỏi làm một cách hỏi"
QUEUE_PHRASING_SKIPPED = " (không thêm làm cách hỏi: {reason})"
QUEUE_NOTIFIED = "Đã gửi câu trả lời tới {sent} người hỏi."
QUEUE_NOT_DELIVERED = (
    "Chưa gửi được cho {waiting} người hỏi vì bộ phận gửi tin chưa chạy; họ vẫn được giữ trong "
    "danh sách và sẽ nhận câu trả lời ngay khi việc gửi tin hoạt động."
)
QUEUE_NO_CHAT = "{count} lượt hỏi không có nơi nhận (hỏi từ dòng lệnh), không cần gửi."
QUEUE_DISMISSED = "Đã bỏ {rows} lượt hỏi khỏi hàng chờ (không trả lời)."
BUTTON_NEW_ENTRY = "➕ Soạn câu trả lời mới"
BUTTON_EXISTING = "🔗 Dùng câu có sẵn"
BUTTON_USE_BEST = "Dùng “{id}”"
BUTTON_DISMISS = "🗑 Bỏ qua (không phải câu hỏi pháp luật)"

# What the asker receives -----------------------------------------------------------------

ANSWER_TO_ASKER = (
    "Cán bộ pháp chế đã trả lời câu hỏi bạn gửi: “{question}”\n\n{answer}\n\n"
    "Đây là thông tin pháp luật chung để tham khảo."
)

# Admin menu, statistics, search ----------------------------------------------------------

ADMIN_MENU = (
    "Công cụ cán bộ pháp chế:\n"
    "/themcauhoi – thêm câu hỏi – đáp\n"
    "/suacauhoi <mã> – sửa một câu\n"
    "/tatcauhoi <mã>, /batcauhoi <mã> – tạm ẩn, hiện lại một câu\n"
    "/timcauhoi <từ khóa> – tìm câu hỏi\n"
    "/choduyet – câu hỏi chờ trả lời\n"
    "/thongke – thống kê\n"
    "/huybo – dừng việc đang làm"
)
NOT_ALLOWED = "Bạn không có quyền dùng chức năng này."
BUTTON_STALE = "Nút này đã cũ. Hãy mở lại chức năng bằng lệnh."
SEARCH_USAGE = "Gõ /timcauhoi kèm từ khóa, ví dụ: /timcauhoi mũ bảo hiểm"
SEARCH_NONE = "Không tìm thấy câu nào với “{text}”."
SEARCH_RESULTS = "Kết quả cho “{text}”:"
SEARCH_ITEM = "{id} [{status}] {question}"
ENTRY_USAGE = "Gõ {command} kèm mã câu hỏi, ví dụ: {command} t02-mu-bao-hiem"
ENTRY_UNKNOWN = "Không có câu hỏi mã “{id}”. Dùng /timcauhoi để tìm mã."
ENTRY_DISABLED = "Đã tạm ẩn “{id}”: bot không dùng câu này để trả lời nữa."
ENTRY_ENABLED = "Đã hiện lại “{id}”: bot dùng câu này để trả lời."
ENTRY_STATUS_SAME = "“{id}” đã ở trạng thái này rồi."
STATUS_NAMES = {"active": "đang dùng", "disabled": "đã ẩn"}

STATS = (
    "Thống kê (giờ Việt Nam, {now}):\n"
    "• Hôm nay: {today} câu hỏi, trả lời được {today_share}.\n"
    "• Tuần này: {week} câu hỏi, trả lời được {week_share}.\n"
    "• Đang chờ trả lời: {open_groups} câu ({open_rows} lượt hỏi).\n"
    "• Chờ gửi câu trả lời: {pending} người."
)
STATS_TOP = "Câu được hỏi nhiều nhất (30 ngày):\n{lines}"
STATS_UNANSWERED = "Câu chưa trả lời được hỏi nhiều nhất:\n{lines}"
STATS_DOWNVOTES = "Câu trả lời bị chê (👎) cần xem lại:\n{lines}"
STATS_NONE = "(chưa có)"
NO_DATA = "chưa có"
