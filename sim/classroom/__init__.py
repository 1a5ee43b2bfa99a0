"""The classroom: lessons, the dashboard (``servsim-dashboard``) and slides (``servsim-lesson``).

    syllabus/NAME.yaml  one lesson, whole: its words, run, question, try-next, reference and slide panels
    lessons.py          reads the syllabus; composes a lesson's settings and its counterfactual
    publish.py          writes the Hydra presets (configs/lesson/) and docs/teaching.md's blocks from it
    model.py            ClassroomModel: a lesson as the dashboard runs it; the on-screen controls
    dashboard.py        the Solara page for a projector
    slides.py           a lesson as one annotated figure for slides
    step_timing.py      how fast the model steps and the plots draw at classroom sizes
    fill_solara_cdn.py  the page's JavaScript from the npm registry, for offline classrooms
"""
