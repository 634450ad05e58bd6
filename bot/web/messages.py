"""Vietnamese texts that only the web column shows; the dialog's own are in
``knowledge.messages``."""

from __future__ import annotations

COLUMN_TITLE = "Chuyên mục phổ biến, giáo dục pháp luật"

ESCALATED = (
    "Cảm ơn bạn. Câu hỏi “{question}” đã được chuyển cho {officer}. "
    "Trang web không lưu thông tin của bạn nên không gửi được câu trả lời riêng: khi cần gấp, "
    "bạn hãy hỏi trực tiếp thầy cô; câu trả lời mới sẽ được bổ sung vào chuyên mục này."
)
FEEDBACK_THANKS_DOWN = (
    "Cảm ơn bạn đã góp ý. Cán bộ pháp chế sẽ xem lại câu trả lời này. "
    "Bạn có thể bấm “Hỏi cán bộ pháp chế” để gửi câu hỏi cho cán bộ."
)

RATE_LIMITED = (
    "Bạn đang gửi nhiều yêu cầu quá nhanh. Bạn hãy đợi khoảng {seconds} giây rồi thử lại nhé."
)
BODY_TOO_LARGE = "Yêu cầu quá lớn. Câu hỏi chỉ nên dài vài câu."
INVALID_JSON = "Yêu cầu không phải JSON hợp lệ."
INVALID_REQUEST = "Yêu cầu không hợp lệ."
UNKNOWN_ENTRY = "Không có câu hỏi nào với mã này."
DISABLED_ENTRY = "Câu hỏi này đang tạm ngừng hiển thị để cán bộ pháp chế cập nhật."
UNKNOWN_TOPIC = "Không có chủ đề này."
NOT_FOUND = "Không tìm thấy trang này."
SERVER_ERROR = "Xin lỗi, trang đang gặp trục trặc. Bạn thử lại sau ít phút nhé."

SEARCH_EMPTY = "Bạn hãy gõ điều muốn tìm, ví dụ: “mấy tuổi được đi xe máy”."
SEARCH_NO_RESULT = (
    "Chưa tìm thấy nội dung phù hợp. Bạn thử gõ cách khác, xem theo chủ đề, hoặc hỏi trợ lý."
)
UNKNOWN_DOCUMENT = "Không có văn bản này trong thư viện pháp luật của chuyên mục."
UNKNOWN_ARTICLE = "Văn bản này không có điều luật được hỏi."
