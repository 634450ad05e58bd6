"""The guided add/edit of an entry (knowledge.curation.wizard), as any channel drives it."""

from __future__ import annotations

import pytest

from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.curation import messages as cm
from knowledge.curation.validation import EntryChecker
from knowledge.curation.wizard import (
    CANCEL,
    DONE,
    PREVIEW,
    SAVE,
    USE_ASKED,
    EntryWizard,
    Prompt,
    Step,
)
from knowledge.dialog import Conversation, Dialog
from tests.knowledge.curation_support import audit_rows

DOG = "Nuôi chó trong chung cư có cần đăng ký không?"
BODY = "Có, chó nuôi phải được khai báo với chính quyền cấp xã nơi cư trú."
DECREE = "Nghị định 90/2026/NĐ-CP về xử phạt vi phạm hành chính trong lĩnh vực y tế"
BASIS = f"Căn cứ: {DECREE}, Điều 3."


@pytest.fixture
async def checker(kb: KnowledgeBase) -> EntryChecker:
    return await EntryChecker.for_kb(kb)


def payloads(prompt: Prompt) -> list[str]:
    return [o.payload for o in prompt.options]


async def add_dog(kb: KnowledgeBase, checker: EntryChecker) -> tuple[EntryWizard, Prompt]:
    """Walk the add flow up to the preview."""
    wizard, prompt = EntryWizard.add(kb, checker, "telegram:1")
    assert prompt.text == cm.ASK_QUESTION
    prompt = await wizard.text(DOG)
    assert wizard.step is Step.PHRASINGS and DONE in payloads(prompt)
    prompt = await wizard.text("nuôi chó chung cư\n\nCó phải đăng ký chó nuôi không?")
    prompt = await wizard.choose(DONE)
    assert cm.PHRASINGS_NEED_MORE.format(missing=1, total=4) in prompt.text
    prompt = await wizard.text("nuoi cho chung cu\nchó nuôi trong chung cư")
    prompt = await wizard.choose(DONE)
    assert wizard.step is Step.ANSWER
    prompt = await wizard.text(BODY)
    assert wizard.step is Step.BASIS
    prompt = await wizard.text("Điều 5 Nghị định 99/2099/NĐ-CP")
    assert wizard.step is Step.BASIS and "99/2099/NĐ-CP" in prompt.text
    prompt = await wizard.text("Điều 3 Nghị định 90/2026/nđ-cp")
    assert wizard.step is Step.TOPIC and "w:t:T01" in payloads(prompt)
    prompt = await wizard.text("t99")
    assert cm.TOPIC_UNKNOWN.format(code="T99") in prompt.text
    prompt = await wizard.choose("w:tp:2")
    assert "w:t:T09" in payloads(prompt) and "w:tp:1" in payloads(prompt)
    prompt = await wizard.choose("w:t:T17")
    assert wizard.step is Step.AUDIENCE
    prompt = await wizard.choose("w:u:everyone")
    assert wizard.step is Step.PREVIEW
    return wizard, prompt


async def test_an_entry_is_added_step_by_step_and_previewed_as_users_see_it(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    wizard, prompt = await add_dog(kb, checker)
    assert prompt.preview is not None and SAVE in payloads(prompt)
    assert prompt.preview.text == f"{BODY}\n\n{BASIS}"
    assert "t17-nuoi-cho-trong-chung-cu-co-can ·" in prompt.text
    assert kb.entry(wizard.entry_id) is None  # nothing stored before "save"

    done = await wizard.choose(SAVE)
    assert done.done and done.saved is not None
    assert done.text == cm.SAVED_NEW.format(id=done.saved.id)
    assert done.saved.questions == [
        DOG,
        "nuôi chó chung cư",
        "Có phải đăng ký chó nuôi không?",
        "nuoi cho chung cu",
        "chó nuôi trong chung cư",
    ]
    assert done.saved.sources[0].number == "90/2026/NĐ-CP"
    assert (done.saved.topic, done.saved.audience) == ("T17", "everyone")

    # The preview was exactly the answer users now get.
    reply = await Dialog(kb).ask(Conversation(Asker("telegram", "9", "9")), DOG)
    assert reply.entry_id == done.saved.id and reply.text == prompt.preview.text
    (audit,) = [r for r in await audit_rows(kb, "faq.create") if r.actor == "telegram:1"]
    assert audit.target == done.saved.id and audit.before is None


async def test_parts_can_be_changed_from_the_preview(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    wizard, _ = await add_dog(kb, checker)
    prompt = await wizard.choose("w:m:a")
    assert wizard.step is Step.ANSWER and BODY in prompt.text
    prompt = await wizard.text(
        "Có. Chó nuôi phải được khai báo.\nCăn cứ: Nghị định 90/2026/NĐ-CP."
    )
    assert wizard.step is Step.PREVIEW and prompt.preview is not None
    # The basis line is written from the parsed sources, with the document's full name.
    assert prompt.preview.text == f"Có. Chó nuôi phải được khai báo.\n\nCăn cứ: {DECREE}."
    prompt = await wizard.choose("w:m:q")
    prompt = await wizard.text("Chỉ một câu")
    assert cm.PHRASINGS_NEED_MORE.format(missing=3, total=4) in prompt.text
    assert PREVIEW in payloads(prompt)  # back without changing anything
    assert (await wizard.choose(PREVIEW)).preview is not None
    assert (await wizard.choose(SAVE)).saved is not None


async def test_a_queued_question_starts_the_flow_and_stays_a_phrasing(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    asked = "nuoi cho o chung cu co phai dang ky k ad"
    wizard, prompt = EntryWizard.add(kb, checker, "telegram:1", asked=asked)
    assert asked in prompt.text and USE_ASKED in payloads(prompt)
    await wizard.text(DOG)
    assert wizard.phrasings == [asked]
    wizard2, _ = EntryWizard.add(kb, checker, "telegram:1", asked=asked)
    await wizard2.choose(USE_ASKED)
    assert (wizard2.main, wizard2.phrasings) == (asked, [])


async def test_bad_input_is_explained_in_vietnamese_and_the_step_repeats(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    wizard, _ = EntryWizard.add(kb, checker, "telegram:1")
    prompt = await wizard.text("   \x00 ")
    assert prompt.text.startswith(cm.EMPTY_TEXT) and wizard.step is Step.QUESTION
    prompt = await wizard.text("dài " * 100)
    assert prompt.text.startswith("Cách hỏi dài quá (399 ký tự)") and wizard.step is Step.QUESTION
    await wizard.text("Câu\x1b[31m hỏi\u200b chính?")
    assert wizard.main == "Câu[31m hỏi chính?"  # control and format characters dropped
    prompt = await wizard.choose("w:u:students")
    assert prompt.text.startswith(cm.CHOOSE_BUTTON)
    await wizard.text("a\nb\nc")
    await wizard.choose(DONE)
    prompt = await wizard.text("x" * 1490)
    assert wizard.step is Step.BASIS
    prompt = await wizard.text("Nghị định 90/2026/NĐ-CP")
    assert prompt.text.startswith("Câu trả lời dài quá") and wizard.step is Step.BASIS
    prompt = await wizard.text("no number here")
    assert prompt.text.startswith("Chưa đọc được căn cứ")


async def test_an_entry_is_edited_from_its_menu_and_audited(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    entry = await kb.faq.get("t15-dien-thoai-trong-lop")
    assert entry is not None and entry.review == "needs-check"
    wizard, prompt = EntryWizard.edit(kb, checker, "telegram:1", entry)
    assert wizard.step is Step.MENU and "w:m:r" in payloads(prompt)
    prompt = await wizard.choose("w:m:a")
    prompt = await wizard.text("Chỉ khi giáo viên cho phép, để phục vụ việc học.")
    assert wizard.step is Step.MENU
    prompt = await wizard.choose("w:m:r")
    assert "w:m:r" not in payloads(prompt)
    prompt = await wizard.choose(PREVIEW)
    assert prompt.preview is not None
    assert prompt.preview.text == (
        "Chỉ khi giáo viên cho phép, để phục vụ việc học.\n\nCăn cứ: Thông tư 15/2026/TT-BGDĐT."
    )
    done = await wizard.choose(SAVE)
    assert done.saved is not None and done.saved.review == "ok"

    (audit,) = [r for r in await audit_rows(kb, "faq.update") if r.actor == "telegram:1"]
    assert audit.before is not None and audit.after is not None
    assert audit.before["review"] == "needs-check" and audit.after["review"] == "ok"
    assert str(audit.after["answer"]).startswith("Chỉ khi giáo viên cho phép")
    stored = kb.entry("t15-dien-thoai-trong-lop")
    assert stored is not None and stored.review == "ok"


async def test_an_edit_does_not_overwrite_a_change_made_meanwhile(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    entry = await kb.faq.get("t02-mu-bao-hiem")
    assert entry is not None
    wizard, _ = EntryWizard.edit(kb, checker, "telegram:1", entry)
    await wizard.choose("w:m:u")
    await wizard.choose("w:u:everyone")
    await kb.faq.save(entry.model_copy(update={"topic": "T29"}), "cli:other")
    await wizard.choose(PREVIEW)
    done = await wizard.choose(SAVE)
    assert done.done and done.saved is None and done.text == cm.CHANGED_MEANWHILE
    stored = await kb.faq.get("t02-mu-bao-hiem")
    assert stored is not None and (stored.topic, stored.audience) == ("T29", "students")


async def test_an_unchanged_edit_and_a_cancel_store_nothing(
    kb: KnowledgeBase, checker: EntryChecker
) -> None:
    entry = await kb.faq.get("t02-mu-bao-hiem")
    assert entry is not None
    wizard, _ = EntryWizard.edit(kb, checker, "telegram:1", entry)
    await wizard.choose(PREVIEW)
    assert (await wizard.choose(SAVE)).text == cm.EDIT_NOTHING

    wizard, _ = await add_dog(kb, checker)
    assert (await wizard.choose(CANCEL)).text == cm.CANCELLED
    assert (await wizard.text("more")).done
    assert [r.actor for r in await audit_rows(kb) if r.actor == "telegram:1"] == []
