# export_pack: writes LLaVADI Lab teacher packs, version 2 (DESIGN §4b), from a Hugging Face LLaVA teacher or any object
# with the core.Teacher interface. numpy only at import; torch and transformers are imported by the real-model path.
from .core import Options, Scored, Teacher  # noqa: F401
from .runner import Sample, read_llava_json, run_export  # noqa: F401
